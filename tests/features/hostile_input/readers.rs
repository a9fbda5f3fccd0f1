//! Hostile input, round 2 (issue 24): spreadsheets that would exhaust
//! memory or never end, FIFOs, symlinks out of a theme, outputs onto
//! inputs, cells that print wrong, values that draw nothing, floods of
//! messages. Each case runs the real binary on a copy of `tests/fixtures/mini`
//! under an address-space cap and a deadline, and asserts the exit code, a
//! message naming the place and that nothing but the output was written.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rust_xlsxwriter::{Format, Workbook, Worksheet};

use crate::support::{copy_dir, make_fifo, repo};

/// Address space a run may take: far below what the crashes asked for.
const MEMORY_CAP: u64 = 4 << 30;
/// Time a run may take.
const DEADLINE: Duration = Duration::from_secs(60);

/// A copy of `tests/fixtures/mini` whose KPI table reads `source`.
pub(super) struct Case {
    dir: tempfile::TempDir,
}

/// What a run left: its exit code and standard error.
pub(super) struct Run {
    code: Option<i32>,
    stderr: String,
}

impl Case {
    pub(super) fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&repo().join("tests/fixtures/mini"), dir.path());
        Case { dir }
    }

    /// A copy whose KPI table `员工` reads the worksheet `员工` of `source`.
    pub(super) fn with_source(source: &str) -> Self {
        let c = Case::new();
        c.edit(
            "parts/numbers.toml",
            "label = \"kpi-table\"\n",
            &format!("label = \"kpi-table\"\nsource = \"{source}\"\nsheet = \"员工\"\n"),
        );
        c
    }

    pub(super) fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub(super) fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        assert!(text.contains(from), "{from:?} not in {rel}");
        std::fs::write(self.path(rel), text.replacen(from, to, 1)).unwrap();
    }

    pub(super) fn append(&self, rel: &str, text: &str) {
        let old = std::fs::read_to_string(self.path(rel)).unwrap();
        std::fs::write(self.path(rel), old + text).unwrap();
    }

    /// Runs `csr-press ARGS --root REPO` under the memory cap and the
    /// deadline, and asserts that no file of the case but `output` changed.
    pub(super) fn run(&self, args: &[&str]) -> Run {
        self.run_in(&repo(), args)
    }

    /// [`Case::run`] with another root.
    pub(super) fn run_in(&self, root: &Path, args: &[&str]) -> Run {
        let out = self.path("out");
        let before = snapshot(self.dir.path(), &out);
        let log = tempfile::NamedTempFile::new().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_csr-press"))
            .args(args)
            .args(["--diagnostic-format", "short", "--root"])
            .arg(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log.reopen().unwrap())
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        rlimit::prlimit(pid, rlimit::Resource::AS, Some((MEMORY_CAP, MEMORY_CAP)), None).unwrap();
        let start = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if start.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("csr-press {args:?} did not end within {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        log.reopen().unwrap().read_to_string(&mut stderr).unwrap();
        assert!(status.code().is_some(), "csr-press {args:?} was killed ({status:?}):\n{stderr}");
        assert!(before == snapshot(self.dir.path(), &out), "files besides out/ changed:\n{stderr}");
        Run { code: status.code(), stderr }
    }

    /// Runs `check` on the case.
    pub(super) fn check(&self) -> Run {
        self.run(&["check", self.path("report.toml").to_str().unwrap()])
    }
}

impl Run {
    /// Asserts the exit code and that standard error holds every text.
    pub(super) fn expect(&self, code: i32, texts: &[&str]) -> &Self {
        assert_eq!(self.code, Some(code), "{}", self.stderr);
        for text in texts {
            assert!(self.stderr.contains(text), "expected {text:?} in:\n{}", self.stderr);
        }
        self
    }
}

/// Every regular file under `dir` but not under `skip` (not following
/// symlinks) with its size and, below 16 MiB, its bytes.
fn snapshot(dir: &Path, skip: &Path) -> BTreeMap<PathBuf, (u64, Vec<u8>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let kind = entry.file_type().unwrap();
            if entry.path() == skip {
                continue;
            } else if kind.is_dir() {
                stack.push(entry.path());
            } else if kind.is_file() {
                let len = entry.metadata().unwrap().len();
                let bytes = if len < 16 << 20 { std::fs::read(entry.path()).unwrap() } else { Vec::new() };
                out.insert(entry.path(), (len, bytes));
            }
        }
    }
    out
}

/// The KPI workbook of the mini fixture's table `员工`, the last row's
/// values formatted as percentages; `extra` adds to the worksheet.
fn kpi_book(path: &Path, extra: impl FnOnce(&mut Worksheet)) {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("员工").unwrap();
    for (c, h) in ["id", "指标名称", "单位", "2018", "2019", "2020"].iter().enumerate() {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, &str, [f64; 3]); 3] = [
        ("total", "员工总数", [459_152.0, 456_239.0, 454_332.0]),
        ("cn", "中国大陆员工数", [458_000.0, 455_000.0, 453_000.0]),
        ("abroad", "港澳台及海外员工数", [1_152.0, 1_239.0, 1_332.0]),
    ];
    for (r, (id, name, values)) in rows.iter().enumerate() {
        let r = r as u32 + 1;
        sheet.write_string(r, 0, *id).unwrap();
        sheet.write_string(r, 1, *name).unwrap();
        for (y, v) in values.iter().enumerate() {
            sheet.write_number(r, 3 + y as u16, *v).unwrap();
        }
    }
    let percent = Format::new().set_num_format("0%");
    sheet.write_string(4, 1, "女性管理者比例").unwrap();
    for (y, v) in [0.15, 0.16, 0.17].iter().enumerate() {
        sheet.write_number_with_format(4, 3 + y as u16, *v, &percent).unwrap();
    }
    extra(sheet);
    book.save(path).unwrap();
}

/// Rewrites the entries of a zip file: `change` gets each name and its
/// bytes and returns the new bytes (or `None` to keep them); `add` adds
/// entries written by a closure.
/// An entry added by [`rewrite_zip`]: its name and what writes it.
type Added<'a> = (&'a str, &'a dyn Fn(&mut dyn Write));

fn rewrite_zip(path: &Path, change: impl Fn(&str, &[u8]) -> Option<Vec<u8>>, add: &[Added<'_>]) {
    let bytes = std::fs::read(path).unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default().large_file(true);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        let mut data = Vec::new();
        entry.read_to_end(&mut data).unwrap();
        let data = change(&name, &data).unwrap_or(data);
        out.start_file(name, options).unwrap();
        out.write_all(&data).unwrap();
    }
    for (name, write) in add {
        out.start_file(*name, options).unwrap();
        write(&mut out);
    }
    out.finish().unwrap();
}

/// The worksheet XML entry of the first sheet of a workbook rust_xlsxwriter wrote.
const SHEET1: &str = "xl/worksheets/sheet1.xml";

// 1. Crashes: readers that allocated what the file declared.

#[test]
fn a_cell_at_xfd1048576_costs_one_cell() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |s| {
        s.write_string(1_048_575, 16_383, "x").unwrap();
    });
    c.check().expect(0, &[]);
}

#[test]
fn ods_repeats_are_counted_before_they_are_expanded() {
    let c = Case::with_source("kpi.ods");
    let row = |cells: &str| format!("<table:table-row>{cells}</table:table-row>");
    let cell =
        |v: &str| format!("<table:table-cell office:value-type=\"string\"><text:p>{v}</text:p></table:table-cell>");
    let num = |v: &str, t: &str| format!("<table:table-cell office:value-type=\"{t}\" office:value=\"{v}\"/>");
    let rows = [
        ("total", "员工总数", ["459152", "456239", "454332"], "float"),
        ("cn", "中国大陆员工数", ["458000", "455000", "453000"], "float"),
        ("abroad", "港澳台及海外员工数", ["1152", "1239", "1332"], "float"),
        ("", "女性管理者比例", ["0.15", "0.16", "0.17"], "percentage"),
    ];
    let mut table = row(&["id", "指标名称", "单位", "2018", "2019", "2020"].map(cell).concat());
    for (id, name, values, kind) in rows {
        table += &row(&[cell(id), cell(name), cell("人"), values.map(|v| num(v, kind)).concat()].concat());
    }
    let body = |extra: &str| format!("{table}{extra}");
    let write_ods = |extra: &str| {
        let xml = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
             xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
             xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
             xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"><office:body><office:spreadsheet>\
             <table:table table:name=\"员工\">{}</table:table></office:spreadsheet></office:body></office:document-content>",
            body(extra)
        );
        let mut out = zip::ZipWriter::new(std::fs::File::create(c.path("kpi.ods")).unwrap());
        let options = zip::write::SimpleFileOptions::default();
        out.start_file("mimetype", options).unwrap();
        out.write_all(b"application/vnd.oasis.opendocument.spreadsheet").unwrap();
        out.start_file("content.xml", options).unwrap();
        out.write_all(xml.as_bytes()).unwrap();
        out.finish().unwrap();
    };
    // Empty repeats (as every saved .ods ends) cost nothing.
    write_ods(
        "<table:table-row table:number-rows-repeated=\"1048570\"><table:table-cell table:number-columns-repeated=\"16384\"/></table:table-row>",
    );
    c.check().expect(0, &[]);
    let report = csr_press::load::load(&c.path("report.toml")).unwrap_or_else(|p| panic!("{p:?}"));
    assert!(format!("{:?}", report.parts[2].data).contains("\"17\""), "the percentage is its percent value");
    // 99 M cells that are something are refused, not expanded.
    write_ods(
        "<table:table-row table:number-rows-repeated=\"99000\"><table:table-cell table:number-columns-repeated=\"1000\" office:value-type=\"float\" office:value=\"1\"/></table:table-row>",
    );
    c.check().expect(1, &["kpi.ods", "worksheet '员工' holds more than 1000000 cells"]);
}

#[test]
fn a_huge_shared_string_is_refused_before_it_is_unpacked() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    let huge = |w: &mut dyn Write| {
        w.write_all(b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><si><t>").unwrap();
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..300 {
            w.write_all(&chunk).unwrap();
        }
        w.write_all(b"</t></si></sst>").unwrap();
    };
    rewrite_zip(
        &c.path("kpi.xlsx"),
        |name, _| (name == "xl/sharedStrings.xml").then(Vec::new),
        &[("xl/huge.xml", &huge)],
    );
    c.check().expect(1, &["kpi.xlsx", "unpacks to", "more than the limit of 256 MiB"]);
}

#[test]
fn a_sparse_csv_of_1_5_gib_is_refused_by_its_size() {
    let c = Case::with_source("kpi.csv");
    std::fs::File::create(c.path("kpi.csv")).unwrap().set_len(3 << 29).unwrap();
    c.check().expect(1, &["kpi.csv", "more than the limit of 64 MiB"]);
}

#[test]
fn a_profile_that_is_a_device_is_refused_before_it_is_read() {
    let c = Case::new();
    c.append("report.toml", "\n[print]\nprofile = \"/dev/zero\"\n");
    c.check().expect(1, &["report.toml:", "cannot read the output profile '/dev/zero' (not a regular file"]);
}

#[test]
fn parts_beyond_the_limit_are_refused_at_load() {
    let c = Case::new();
    let many: Vec<String> = (0..501).map(|i| format!("\"parts/p{i}.toml\"")).collect();
    c.edit("report.toml", "parts = [", &format!("parts = [{}, ", many.join(", ")));
    c.check().expect(1, &["report.toml:2:", "more than the limit of 500"]);
}

#[test]
fn a_cell_reference_past_the_grid_is_refused_not_overflowed() {
    // A fuzz finding: the workbook reader computes `AAAAAAAAA1`'s column
    // with unchecked arithmetic (a panic in a build that checks overflow).
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    let far = |name: &str, data: &[u8]| {
        (name == SHEET1).then(|| String::from_utf8_lossy(data).replacen("r=\"A1\"", "r=\"AAAAAAAAA1\"", 1).into_bytes())
    };
    rewrite_zip(&c.path("kpi.xlsx"), far, &[]);
    c.check().expect(1, &["kpi.xlsx", "the cell reference 'AAAAAAAAA1' lies outside any worksheet"]);
    // And one that subtracts a range's corners unchecked.
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    let reversed = |name: &str, data: &[u8]| {
        let text = String::from_utf8_lossy(data);
        (name == SHEET1).then(|| text.replacen("<dimension ref=\"", "<dimension ref=\"Z9:A1\" x=\"", 1).into_bytes())
    };
    rewrite_zip(&c.path("kpi.xlsx"), reversed, &[]);
    c.check().expect(1, &["kpi.xlsx", "the range 'Z9:A1' ends before it starts"]);
}

// 2. Hangs.

#[test]
fn a_fifo_as_spreadsheet_is_refused_without_opening_it() {
    let c = Case::with_source("kpi.xlsx");
    make_fifo(&c.path("kpi.xlsx"));
    c.check().expect(1, &["parts/numbers.toml:", "spreadsheet 'kpi.xlsx' is not a regular file"]);
}

#[test]
fn a_fifo_as_theme_file_is_refused_without_opening_it() {
    let c = Case::new();
    copy_dir(&repo().join("themes/house"), &c.path("themes/evil"));
    c.edit("report.toml", "theme = \"house\"", "theme = \"evil\"");
    std::fs::remove_file(c.path("themes/evil/theme.toml")).unwrap();
    make_fifo(&c.path("themes/evil/theme.toml"));
    c.check().expect(1, &["report.toml:", "theme.toml not a regular file"]);
}

#[test]
fn a_million_cells_at_one_address_are_counted() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    rewrite_zip(
        &c.path("kpi.xlsx"),
        |name, data| {
            (name == SHEET1).then(|| {
                let text = String::from_utf8_lossy(data);
                let flood = "<c r=\"H9\"><v>1</v></c>".repeat(1_100_000);
                text.replacen("</sheetData>", &format!("<row r=\"9\">{flood}</row></sheetData>"), 1).into_bytes()
            })
        },
        &[],
    );
    c.check().expect(1, &["kpi.xlsx!员工", "more than 1000000 cells"]);
}

// 3. Data loss: outputs onto inputs.

#[test]
fn outputs_onto_a_theme_file_a_spreadsheet_or_the_logo_are_refused() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    copy_dir(&repo().join("themes/house"), &c.path("themes/house"));
    image::RgbImage::new(8, 8).save(c.path("logo.png")).unwrap();
    c.edit("report.toml", "language = \"zh-CN\"", "language = \"zh-CN\"\nlogo = \"logo.png\"");
    let manifest = c.path("report.toml");
    let manifest = manifest.to_str().unwrap();
    for target in ["themes/house/theme.toml", "themes/house/theme.typ", "logo.png", "kpi.xlsx"] {
        let target = c.path(target);
        let shown = target.to_str().unwrap();
        c.run(&["build", manifest, "-o", shown]).expect(2, &[&format!("refusing to write {shown}: it is an input")]);
    }
    let pdf = c.path("out/r.pdf");
    let data = c.path("kpi.xlsx");
    c.run(&["build", manifest, "-o", pdf.to_str().unwrap(), "--emit-data", data.to_str().unwrap()])
        .expect(2, &["kpi.xlsx: it is an input of the build"]);
}

// 4. Security.

#[cfg(unix)]
#[test]
fn a_theme_file_symlinked_outside_is_never_read() {
    let c = Case::new();
    let outside = tempfile::tempdir().unwrap();
    let secret_outside = outside.path().join("shadow");
    std::fs::write(&secret_outside, "root:$6$SECRETHASH:19000:0:99999:7:::\n").unwrap();
    copy_dir(&repo().join("themes/house"), &c.path("themes/evil"));
    std::fs::remove_file(c.path("themes/evil/theme.toml")).unwrap();
    std::os::unix::fs::symlink(&secret_outside, c.path("themes/evil/theme.toml")).unwrap();
    c.edit("report.toml", "theme = \"house\"", "theme = \"evil\"");
    let run = c.check();
    run.expect(1, &["report.toml:", "leads outside the theme folder"]);
    assert!(!run.stderr.contains("SECRETHASH"), "{}", run.stderr);
}

#[cfg(unix)]
#[test]
fn swapped_image_cache_files_do_not_swap_the_images() {
    let c = Case::new();
    // A root of its own, so that the image cache is the test's.
    let root = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("layout"), &root.path().join("layout"));
    copy_dir(&repo().join("themes"), &root.path().join("themes"));
    std::os::unix::fs::symlink(repo().join("fonts"), root.path().join("fonts")).unwrap();
    for (name, shade) in [("a.bmp", 20), ("b.bmp", 220)] {
        image::RgbImage::from_pixel(40, 30, image::Rgb([shade, 90, 255 - shade])).save(c.path(name)).unwrap();
        let figure = format!("\n[[sections.blocks]]\ntype = \"figure\"\ncaption = \"{name}\"\nimage = \"{name}\"\n");
        c.append("parts/numbers.toml", &figure);
    }
    let manifest = c.path("report.toml");
    let pdf = c.path("out/r.pdf");
    let args = ["build", manifest.to_str().unwrap(), "-o", pdf.to_str().unwrap()];
    c.run_in(root.path(), &args).expect(0, &[]);
    let first = std::fs::read(&pdf).unwrap();
    let cache = root.path().join("out/.cache/images");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&cache).unwrap().flatten().map(|e| e.path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    let swap = cache.join("swap");
    std::fs::rename(&files[0], &swap).unwrap();
    std::fs::rename(&files[1], &files[0]).unwrap();
    std::fs::rename(&swap, &files[1]).unwrap();
    c.run_in(root.path(), &args).expect(0, &[]);
    assert!(std::fs::read(&pdf).unwrap() == first, "the swapped cache files changed the PDF");
}

// 5. Silent wrong output.

#[test]
fn percentages_are_read_as_a_user_sees_them() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    let report = csr_press::load::load(&c.path("report.toml")).unwrap_or_else(|p| panic!("{p:?}"));
    let text = format!("{:?}", report.parts[2].data);
    assert!(text.contains("[\"15\", \"16\", \"17\"]"), "5 % reads as 5, not 0: {text}");
    c.check().expect(0, &[]);
}

#[test]
fn a_date_cell_says_it_is_a_date_at_the_cell() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |s| {
        s.write_number_with_format(1, 5, 45000.0, &Format::new().set_num_format("yyyy-mm-dd")).unwrap();
    });
    c.check().expect(1, &["kpi.xlsx!员工!F2: error: the cell holds a date (2023-03-15)"]);
}

#[test]
fn a_nan_cell_is_reported_at_the_cell() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    let nan = |name: &str, data: &[u8]| {
        (name == SHEET1).then(|| String::from_utf8_lossy(data).replacen("<v>454332</v>", "<v>NaN</v>", 1).into_bytes())
    };
    rewrite_zip(&c.path("kpi.xlsx"), nan, &[]);
    c.check().expect(1, &["kpi.xlsx!员工!F2: error: the cell's number is not finite"]);
}

#[test]
fn two_worksheets_of_one_name_are_an_error() {
    let c = Case::with_source("kpi.xlsx");
    kpi_book(&c.path("kpi.xlsx"), |_| {});
    // A second entry of the same name in the workbook's sheet list.
    rewrite_zip(
        &c.path("kpi.xlsx"),
        |name, data| {
            (name == "xl/workbook.xml").then(|| {
                let text = String::from_utf8_lossy(data);
                text.replacen("</sheets>", "<sheet name=\"员工\" sheetId=\"2\" r:id=\"rId1\"/></sheets>", 1)
                    .into_bytes()
            })
        },
        &[],
    );
    c.check().expect(1, &["parts/numbers.toml:", "two worksheets are named '员工'"]);
}

#[test]
fn qr_sizes_are_range_checked() {
    for size in ["0", "-5", "nan", "inf", "5000"] {
        let c = Case::new();
        c.append(
            "parts/numbers.toml",
            &format!("\n[[sections.blocks]]\ntype = \"qr\"\nurl = \"https://example.com/r\"\ncaption = \"扫码\"\nsize_mm = {size}\n"),
        );
        c.check().expect(1, &["parts/numbers.toml:", "a QR code must be 10–120 mm wide"]);
    }
}

#[test]
fn a_theme_leading_is_range_checked() {
    let c = Case::new();
    copy_dir(&repo().join("themes/house"), &c.path("themes/house"));
    c.append("themes/house/theme.toml", "\n[type]\nleading = -3\n");
    c.check().expect(1, &["theme.toml:", "leading -3 must be 0.1–3 em"]);
}

#[test]
fn negative_bars_and_empty_rings_are_data_errors_at_the_chart() {
    let chart = |kind: &str, row: &str| {
        format!(
            "\n[[sections.blocks]]\ntype = \"chart\"\nkind = \"{kind}\"\ntitle = \"图\"\ntable = \"kpi-table\"\nrows = [\"{row}\"]\n"
        )
    };
    let rows = "  { id = \"net\", indicator = \"净变化\", unit = \"人\", values = [\"5\", \"-3\", \"2\"] },\n  \
                { id = \"zero\", indicator = \"零\", unit = \"人\", values = [\"0\", \"0\", \"0\"] },\n]";
    for (kind, row, message) in [
        ("bar", "net", "row '净变化' has the negative value -3 in 2019"),
        ("ring", "zero", "the rows of a share ring add up to 0 in 2020"),
    ] {
        let c = Case::new();
        c.edit("parts/numbers.toml", "\n]", &format!("\n{rows}"));
        c.append("parts/numbers.toml", &chart(kind, row));
        c.check().expect(1, &["parts/numbers.toml:", message]);
    }
}

// 6. Messages.

#[test]
fn repeated_errors_are_capped_per_file() {
    let c = Case::with_source("kpi.csv");
    let mut csv = String::from("id,指标名称,单位,2018,2019,2020\n");
    csv += "total,员工总数,人,\"459,152\",\"456,239\",\"454,332\"\n";
    csv += "cn,中国大陆员工数,人,\"458,000\",\"455,000\",\"453,000\"\n";
    csv += "abroad,港澳台及海外员工数,人,\"1,152\",\"1,239\",\"1,332\"\n";
    csv += ",女性管理者比例,%,>15,/,\"1,400+\"\n";
    for i in 0..5_000 {
        csv += &format!("x{i},行{i},人,1,2,3\n");
    }
    std::fs::write(c.path("kpi.csv"), csv).unwrap();
    let run = c.check();
    run.expect(
        1,
        &["kpi.csv!B6: error: row '行0' matches no indicator", "4980 more rows that match no indicator not shown"],
    );
    assert_eq!(run.stderr.matches("matches no indicator").count(), 20, "{}", run.stderr);
}

// 7. Walks the copyfit cache key makes (src/copyfit.rs, not in this change):
// they end once it lists a folder with `paths::regular_files`.

#[cfg(unix)]
#[test]
fn a_theme_folder_with_symlink_loops_and_a_fifo_builds() {
    let c = Case::new();
    copy_dir(&repo().join("themes/house"), &c.path("themes/house"));
    std::os::unix::fs::symlink(".", c.path("themes/house/a")).unwrap();
    std::os::unix::fs::symlink(".", c.path("themes/house/b")).unwrap();
    make_fifo(&c.path("themes/house/pipe"));
    let pdf = c.path("out/r.pdf");
    c.run(&["build", c.path("report.toml").to_str().unwrap(), "-o", pdf.to_str().unwrap()]).expect(0, &[]);
}
