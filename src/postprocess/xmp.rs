//! The XMP metadata packet of a PDF/X file: the same title, author,
//! subject, keywords, dates, trapping and PDF/X version as the Info
//! dictionary, plus the document and instance ids PDF/X-4 requires.

use lopdf::Dictionary;

/// Builds the packet from the (already completed) Info dictionary.
pub fn packet(info: &Dictionary, pdfx_version: &str, pdf_version: &str, ids: &[String; 2]) -> String {
    let get = |key: &[u8]| info.get(key).ok().and_then(|o| lopdf::decode_text_string(o).ok()).unwrap_or_default();
    let created = xmp_date(&get(b"CreationDate"));
    let modified = xmp_date(&get(b"ModDate"));
    let mut body = String::new();
    let title = get(b"Title");
    body.push_str(&format!(
        "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>",
        esc(&title)
    ));
    let author = get(b"Author");
    if !author.is_empty() {
        body.push_str(&format!("<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>", esc(&author)));
    }
    let subject = get(b"Subject");
    if !subject.is_empty() {
        body.push_str(&format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>",
            esc(&subject)
        ));
    }
    let keywords = get(b"Keywords");
    if !keywords.is_empty() {
        body.push_str(&format!("<pdf:Keywords>{}</pdf:Keywords>", esc(&keywords)));
    }
    let [document, instance] = ids;
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\
<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" \
xmlns:xmpMM=\"http://ns.adobe.com/xap/1.0/mm/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" \
xmlns:pdfx=\"http://ns.adobe.com/pdfx/1.3/\" xmlns:pdfxid=\"http://www.npes.org/pdfx/ns/id/\">\
<dc:format>application/pdf</dc:format>{body}\
<xmp:CreatorTool>{creator}</xmp:CreatorTool><xmp:CreateDate>{created}</xmp:CreateDate>\
<xmp:ModifyDate>{modified}</xmp:ModifyDate><xmp:MetadataDate>{modified}</xmp:MetadataDate>\
<pdf:Producer>{producer}</pdf:Producer><pdf:Trapped>False</pdf:Trapped><pdf:PDFVersion>{pdf_version}</pdf:PDFVersion>\
<xmpMM:DocumentID>uuid:{document}</xmpMM:DocumentID><xmpMM:InstanceID>uuid:{instance}</xmpMM:InstanceID>\
<xmpMM:VersionID>1</xmpMM:VersionID><xmpMM:RenditionClass>default</xmpMM:RenditionClass>\
<pdfx:GTS_PDFXVersion>{pdfx_version}</pdfx:GTS_PDFXVersion><pdfxid:GTS_PDFXVersion>{pdfx_version}</pdfxid:GTS_PDFXVersion>\
</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>",
        creator = esc(&get(b"Creator")),
        producer = esc(&get(b"Producer")),
        document = uuid(document),
        instance = uuid(instance),
    )
}

/// `D:20210521000000Z` → `2021-05-21T00:00:00Z` (offsets kept).
pub fn xmp_date(pdf: &str) -> String {
    let d = pdf.trim_start_matches("D:");
    let digits: String = d.chars().take_while(char::is_ascii_digit).collect();
    let part = |a: usize, b: usize, default: &str| digits.get(a..b).unwrap_or(default).to_owned();
    let zone = &d[digits.len()..];
    let zone = match zone.chars().next() {
        Some('+') | Some('-') => {
            let z: String = zone.chars().filter(|c| *c != '\'').collect();
            format!("{}:{}", z.get(0..3).unwrap_or("+00"), z.get(3..5).unwrap_or("00"))
        }
        _ => "Z".to_owned(),
    };
    format!(
        "{}-{}-{}T{}:{}:{}{zone}",
        part(0, 4, "2000"),
        part(4, 6, "01"),
        part(6, 8, "01"),
        part(8, 10, "00"),
        part(10, 12, "00"),
        part(12, 14, "00")
    )
}

/// A 32-hex-digit id as a UUID (8-4-4-4-12); other ids unchanged.
fn uuid(hex: &str) -> String {
    if hex.len() != 32 {
        return hex.to_owned();
    }
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// Escapes text for XML.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_convert() {
        assert_eq!(xmp_date("D:20210521000000Z"), "2021-05-21T00:00:00Z");
        assert_eq!(xmp_date("D:20210521103000+08'00'"), "2021-05-21T10:30:00+08:00");
        assert_eq!(uuid("00112233445566778899aabbccddeeff"), "00112233-4455-6677-8899-aabbccddeeff");
    }
}
