//! PDF/X on the print profile: the built PDF is opened with lopdf and every
//! requirement that can be read from the file is asserted (version, output
//! intent, profile, Info and XMP keys, colour spaces, transparency, boxes,
//! fonts); images are listed as they are drawn (`support::pdf_images`); a
//! layout that breaks the standard is an error naming what breaks it.

use std::path::Path;

use crate::support::*;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};

/// Writes the tests' CMYK output profile (made by `support::icc`) into `dir`.
fn test_profile(dir: &Path) -> String {
    let path = dir.join("test-cmyk.icc");
    std::fs::write(&path, crate::support::icc::cmyk_profile()).expect("write the test profile");
    path.to_str().expect("utf-8 path").to_owned()
}

/// A text value of a dictionary (PDF text string).
fn text(dict: &Dictionary, key: &[u8]) -> String {
    let object = dict.get(key).unwrap_or_else(|_| panic!("missing /{}", String::from_utf8_lossy(key)));
    lopdf::decode_text_string(object).unwrap_or_else(|_| {
        String::from_utf8_lossy(object.as_str().unwrap_or_else(|_| panic!("not a string: {object:?}"))).into()
    })
}

/// The content of the first `<tag>…</tag>` in the XMP packet.
fn xmp_value<'a>(xmp: &'a str, tag: &str) -> &'a str {
    let open = format!("<{tag}>");
    let start = xmp.find(&open).unwrap_or_else(|| panic!("XMP has no {tag}:\n{xmp}")) + open.len();
    let name = tag.split_whitespace().next().unwrap_or(tag);
    let end = xmp[start..].find(&format!("</{name}>")).expect("closing tag");
    &xmp[start..start + end]
}

fn rect(dict: &Dictionary, key: &[u8]) -> [f32; 4] {
    let values: Vec<f32> = dict
        .get(key)
        .and_then(Object::as_array)
        .unwrap_or_else(|_| panic!("page without /{}", String::from_utf8_lossy(key)))
        .iter()
        .map(|v| v.as_float().expect("number"))
        .collect();
    [values[0], values[1], values[2], values[3]]
}

fn inside(inner: [f32; 4], outer: [f32; 4]) -> bool {
    inner[0] >= outer[0] && inner[1] >= outer[1] && inner[2] <= outer[2] && inner[3] <= outer[3]
}

/// Walks every object (recursively) and calls `f` on each dictionary.
fn each_dict(doc: &Document, f: &mut dyn FnMut(&Dictionary)) {
    fn walk(object: &Object, f: &mut dyn FnMut(&Dictionary)) {
        match object {
            Object::Dictionary(d) => {
                f(d);
                d.iter().for_each(|(_, v)| walk(v, f));
            }
            Object::Stream(s) => {
                f(&s.dict);
                s.dict.iter().for_each(|(_, v)| walk(v, f));
            }
            Object::Array(a) => a.iter().for_each(|v| walk(v, f)),
            _ => {}
        }
    }
    doc.objects.values().for_each(|o| walk(o, f));
}

/// Whether any object holds the name `name` (as a value, anywhere).
fn has_name(doc: &Document, name: &[u8]) -> bool {
    let mut found = false;
    each_dict(doc, &mut |d| {
        for (_, v) in d.iter() {
            let hit = match v {
                Object::Name(n) => n == name,
                Object::Array(a) => a.iter().any(|x| x.as_name().ok() == Some(name)),
                _ => false,
            };
            found |= hit;
        }
    });
    found |= doc.objects.values().any(|o| o.as_array().is_ok_and(|a| a.iter().any(|x| x.as_name().ok() == Some(name))));
    found
}

/// Asserts everything PDF/X requires that the file shows. Returns the document.
fn assert_pdfx(pdf: &Path, version: &str, pdfx_version: &str) -> Document {
    let bytes = std::fs::read(pdf).expect("read pdf");
    assert!(bytes.starts_with(format!("%PDF-{version}").as_bytes()), "header is not PDF {version}");
    let doc = Document::load_mem(&bytes).expect("lopdf opens the PDF");
    assert_eq!(doc.version, version);
    assert!(doc.trailer.get(b"Encrypt").is_err(), "PDF/X allows no encryption");
    let ids = doc.trailer.get(b"ID").and_then(Object::as_array).expect("document ID");
    assert_eq!(ids.len(), 2);

    let info =
        doc.get_dictionary(doc.trailer.get(b"Info").and_then(Object::as_reference).expect("Info")).expect("Info");
    assert_eq!(text(info, b"GTS_PDFXVersion"), pdfx_version);
    assert_eq!(info.get(b"Trapped").and_then(Object::as_name).expect("Trapped"), b"False");
    for key in [b"Title".as_slice(), b"CreationDate", b"ModDate"] {
        assert!(!text(info, key).is_empty(), "Info needs {}", String::from_utf8_lossy(key));
    }

    let catalog = doc.catalog().expect("catalog");
    let metadata = doc.get_object(catalog.get(b"Metadata").and_then(Object::as_reference).expect("XMP")).expect("XMP");
    let xmp = String::from_utf8(metadata.as_stream().expect("stream").content.clone()).expect("XMP is UTF-8 text");
    assert_eq!(xmp_value(&xmp, "pdfxid:GTS_PDFXVersion"), pdfx_version, "XMP and Info agree");
    assert_eq!(xmp_value(&xmp, "pdf:Trapped"), "False");
    assert_eq!(xmp_value(&xmp, "rdf:li xml:lang=\"x-default\""), text(info, b"Title"), "XMP and Info titles agree");
    assert!(xmp_value(&xmp, "xmp:CreateDate").starts_with(&text(info, b"CreationDate")[2..6]), "dates agree");
    for tag in ["xmpMM:DocumentID", "xmpMM:VersionID", "xmpMM:RenditionClass", "xmp:ModifyDate", "xmp:MetadataDate"] {
        assert!(!xmp_value(&xmp, tag).is_empty(), "{tag}");
    }

    let intents = catalog.get(b"OutputIntents").and_then(Object::as_array).expect("OutputIntents");
    assert_eq!(intents.len(), 1);
    let intent = doc.dereference(&intents[0]).expect("intent").1.as_dict().expect("intent dict");
    assert_eq!(intent.get(b"S").and_then(Object::as_name).expect("S"), b"GTS_PDFX");
    assert!(!text(intent, b"OutputConditionIdentifier").is_empty());
    assert!(!text(intent, b"Info").is_empty());

    for (number, id) in doc.get_pages() {
        let page = doc.get_dictionary(id).expect("page");
        let (media, bleed, trim) = (rect(page, b"MediaBox"), rect(page, b"BleedBox"), rect(page, b"TrimBox"));
        assert!(inside(bleed, media), "page {number}: BleedBox {bleed:?} outside MediaBox {media:?}");
        assert!(inside(trim, bleed), "page {number}: TrimBox {trim:?} outside BleedBox {bleed:?}");
        assert!(page.get(b"Annots").is_err(), "page {number} has annotations");
    }
    each_dict(&doc, &mut |d| {
        if d.has_type(b"FontDescriptor") {
            assert!(
                d.has(b"FontFile") || d.has(b"FontFile2") || d.has(b"FontFile3"),
                "font not embedded: {:?}",
                d.get(b"FontName")
            );
        }
    });
    doc
}

/// Asserts what PDF/X-1a adds: no RGB, no ICC colour, no transparency.
fn assert_x1a_colour(doc: &Document) {
    assert!(!has_name(doc, b"DeviceRGB"), "DeviceRGB in PDF/X-1a");
    assert!(!has_name(doc, b"ICCBased"), "ICC-based colour in PDF/X-1a");
    each_dict(doc, &mut |d| {
        assert!(!d.has(b"SMask") || d.get(b"SMask").and_then(Object::as_name).ok() == Some(b"None"), "soft mask");
        if let Ok(group) = d.get(b"Group").and_then(Object::as_dict) {
            assert_ne!(group.get(b"S").and_then(Object::as_name).ok(), Some(b"Transparency".as_slice()), "group");
        }
        for key in [b"ca".as_slice(), b"CA"] {
            if let Ok(alpha) = d.get(key).and_then(Object::as_float) {
                assert!(alpha >= 1.0, "constant alpha {alpha} in PDF/X-1a");
            }
        }
    });
    for (number, page) in doc.get_pages() {
        let content = Content::decode(&doc.get_page_content(page)).expect("content");
        for op in &content.operations {
            assert!(!["rg", "RG"].contains(&op.operator.as_str()), "page {number}: RGB operator {}", op.operator);
        }
    }
}

/// The images drawn: (type, colour, components), as `pdfimages -list` names them.
fn images(pdf: &Path) -> Vec<(String, String, String)> {
    pdf_images(pdf).into_iter().map(|i| (i.kind.to_owned(), i.colour, i.comp.to_string())).collect()
}

#[test]
fn default_build_is_pdfx_1a_with_cmyk_images_only() {
    let dir = fixture("pdfx");
    let pdf = dir.path().join("out/report.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("WITHOUT an output profile"), "the fallback conversion is announced");
    let doc = assert_pdfx(&pdf, "1.4", "PDF/X-1a:2003");
    assert_x1a_colour(&doc);
    let intent = doc.catalog().and_then(|c| c.get(b"OutputIntents")).and_then(Object::as_array).expect("intents");
    let intent = doc.dereference(&intent[0]).expect("intent").1.as_dict().expect("dict");
    assert_eq!(text(intent, b"OutputConditionIdentifier"), "FOGRA39");
    assert_eq!(text(intent, b"RegistryName"), "http://www.color.org");

    let rows = images(&pdf);
    assert_eq!(rows.len(), 4, "the four fixture images, no soft masks: {rows:?}");
    for (kind, colour, comp) in &rows {
        assert_eq!((kind.as_str(), colour.as_str(), comp.as_str()), ("image", "cmyk", "4"));
    }
}

#[test]
fn the_2020_report_is_pdfx_1a_and_overprints_black_text() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pdf = dir.path().join("report.pdf");
    let out = build(&repo().join("data/report.toml"), &pdf, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = assert_pdfx(&pdf, "1.4", "PDF/X-1a:2003");
    assert_x1a_colour(&doc);
    let mut overprint = false;
    each_dict(&doc, &mut |d| {
        overprint |= d.get(b"op").and_then(Object::as_bool).ok() == Some(true)
            && d.get(b"OPM").and_then(Object::as_i64).ok() == Some(1);
    });
    assert!(overprint, "an overprint graphics state for 100 % K text");
}

#[test]
fn a_cmyk_profile_gives_pdfx_4_with_the_profile_embedded() {
    let dir = fixture("pdfx");
    let pdf = dir.path().join("report.pdf");
    let profile = test_profile(dir.path());
    let out = build(&dir.path().join("report.toml"), &pdf, &["--icc", &profile]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!stderr(&out).contains("WITHOUT an output profile"), "{}", stderr(&out));
    let doc = assert_pdfx(&pdf, "1.6", "PDF/X-4");
    let intents = doc.catalog().and_then(|c| c.get(b"OutputIntents")).and_then(Object::as_array).expect("intents");
    let intent = doc.dereference(&intents[0]).expect("intent").1.as_dict().expect("dict");
    let profile = doc.dereference(intent.get(b"DestOutputProfile").expect("embedded profile")).expect("profile").1;
    let profile = profile.as_stream().expect("profile stream");
    assert_eq!(profile.dict.get(b"N").and_then(Object::as_i64).expect("N"), 4);
    let icc = profile.decompressed_content().expect("profile data");
    assert_eq!(&icc[12..20], b"prtrCMYK", "an output-device CMYK profile");
    for (kind, colour, comp) in images(&pdf) {
        if kind == "image" {
            assert!(colour == "cmyk" || (colour == "icc" && comp == "4"), "{kind} {colour} {comp}");
        }
    }
}

#[test]
fn proof_and_screen_keep_rgb_images() {
    let dir = fixture("pdfx");
    let pdf = dir.path().join("screen.pdf");
    let out = build(&dir.path().join("report.toml"), &pdf, &["--profile", "screen"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = images(&pdf);
    assert!(rows.iter().any(|(k, c, n)| k == "image" && c == "icc" && n == "3"), "RGB stays RGB: {rows:?}");
    let doc = Document::load(&pdf).expect("open");
    assert!(doc.catalog().expect("catalog").get(b"OutputIntents").is_err(), "screen PDFs are not PDF/X");
}

#[test]
fn a_layout_with_rgb_and_transparency_is_an_error_naming_the_standard() {
    let dir = fixture("pdfx");
    let root = dir.path().join("root");
    copy_dir(&repo().join("layout"), &root.join("layout"));
    copy_dir(&repo().join("fonts"), &root.join("fonts"));
    copy_dir(&repo().join("themes"), &root.join("themes"));
    let theme = root.join("layout/base.typ");
    let original = std::fs::read_to_string(&theme).expect("base");
    let broken = original
        .replacen("#let grey-20 = cmyk(0%, 0%, 0%, 20%)", "#let grey-20 = rgb(60, 170, 60)", 1)
        .replacen("#let grey-70 = cmyk(0%, 0%, 0%, 70%)", "#let grey-70 = luma(40%, 60%)", 1);
    assert_ne!(broken, original, "the engine's greys are where the test expects them");
    std::fs::write(&theme, broken).expect("write theme");
    let pdf = dir.path().join("report.pdf");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["build", "./report.toml", "-o", "report.pdf", "--root", "root", "--diagnostic-format", "short"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!pdf.exists(), "no PDF is written when the standard is broken");
    let line =
        |needle: &str| err.lines().find(|l| l.contains(needle)).unwrap_or_else(|| panic!("no `{needle}`:\n{err}"));
    let rgb = line("does not allow RGB colour");
    assert!(rgb.starts_with("layout/base.typ:") && rgb.contains("PDF/X-1a:2003") && rgb.contains("error"), "{rgb}");
    let alpha = line("does not allow transparency");
    assert!(alpha.starts_with("layout/base.typ:") && alpha.contains("PDF/X-1a:2003"), "{alpha}");

    // The same layout as a plain print PDF builds, with the findings as warnings.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_csr-press"))
        .args(["build", "./report.toml", "-o", "report.pdf", "--root", "root", "--pdfx", "none"])
        .current_dir(dir.path())
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: the print PDF has RGB colour"), "{}", stderr(&out));
}

#[test]
fn print_section_sets_the_ink_limit_and_strict_stops_the_build() {
    let dir = fixture("pdfx");
    let manifest = dir.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, format!("{text}\n[print]\ncondition = \"FOGRA39\"\nink_limit = 180\n")).expect("write");
    let pdf = dir.path().join("report.pdf");
    let out = build(&manifest, &pdf, &["--diagnostic-format", "short"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // The house theme's deep ink, C88 M68 Y42 K42, has 240 % ink.
    let err = stderr(&out);
    let line = err.lines().find(|l| l.contains("C88 M68 Y42 K42")).unwrap_or_else(|| panic!("{err}"));
    assert!(
        line.contains("themes/house/theme.toml:") && line.contains("240 % total ink") && line.contains("180 %"),
        "{line}"
    );

    std::fs::remove_file(&pdf).expect("remove");
    let out = build(&manifest, &pdf, &["--strict"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!pdf.exists(), "--strict writes no PDF when there are findings");
}

#[test]
fn pdfx_4_without_a_profile_is_a_located_error() {
    let dir = fixture("pdfx");
    let manifest = dir.path().join("report.toml");
    let text = std::fs::read_to_string(&manifest).expect("manifest");
    std::fs::write(&manifest, format!("{text}\n[print]\nstandard = \"x4\"\n")).expect("write");
    let out = build(&manifest, &dir.path().join("report.pdf"), &["--diagnostic-format", "short"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("report.toml:") && err.contains("PDF/X-4 embeds the printer's CMYK profile"), "{err}");
}
