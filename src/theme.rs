//! Stage 2c: the report's design theme (the look, `[design] theme`; not
//! the cover's slogan, `Meta::slogan`) and identity.
//!
//! Finds the theme folder the manifest names (`[design] theme`, default
//! `house`): `themes/NAME/` in the manifest's folder or the nearest folder
//! above it, else in the root. Reads and checks its `theme.toml`, checks that
//! every part's accent is one the theme declares, and checks the identity
//! facts of `[meta]` (language tag, logo file).

use std::path::{Path, PathBuf};

use crate::diag::{Problem, Problems, Severity};
use crate::image_check::locate_image;
use crate::model::{Colour, PALETTE_ROLES, TYPE_SCALE, ThemeSpec, split_language};
use crate::paths::{PathError, Root, confined};
use crate::source::{Loaded, Report, SourceFile, read_toml};

/// The theme of a manifest without `[design] theme`.
pub const DEFAULT_THEME: &str = "house";
/// The folder that holds theme folders.
pub const THEMES_DIR: &str = Root::THEMES;
/// The data file of a theme folder.
pub const THEME_FILE: &str = "theme.toml";
/// The entry file of a theme folder: its entry points (layout/theme-api.typ).
pub const THEME_ART: &str = "theme.typ";
/// Logo formats the layouts can place.
pub const LOGO_FORMATS: [&str; 4] = ["svg", "pdf", "png", "jpg"];

/// A theme, found and checked.
#[derive(Debug, Clone)]
pub struct Theme {
    /// The name the manifest gives.
    pub name: String,
    /// The theme folder (absolute).
    pub dir: PathBuf,
    /// Its `theme.toml`.
    pub spec: Loaded<ThemeSpec>,
}

impl Theme {
    /// The accent names the theme declares, sorted.
    pub fn accent_names(&self) -> Vec<&str> {
        self.spec.data.accents.keys().map(String::as_str).collect()
    }
}

/// Checks the report against its theme and its identity facts; returns the
/// theme when it could be loaded. Problems are added to `problems`.
pub fn check_report(report: &Report, root: &Path, problems: &mut Problems) -> Option<Theme> {
    check_identity(report, problems);
    match load_theme(report, root) {
        Ok(theme) => {
            check_accents(report, &theme, problems);
            Some(theme)
        }
        Err(found) => {
            problems.0.extend(found.0);
            None
        }
    }
}

/// The theme folder for `name`: `themes/NAME/` holding a `theme.toml`, in
/// `start` or the nearest folder above it, else in `root`.
pub fn find_theme(name: &str, start: &Path, root: &Path) -> Option<PathBuf> {
    let start = std::path::absolute(start).ok()?;
    let root = std::path::absolute(root).ok()?;
    start
        .ancestors()
        .chain(std::iter::once(root.as_path()))
        .map(|dir| dir.join(THEMES_DIR).join(name))
        // Any kind of file: a FIFO or a symlink out is found, and refused
        // by name where it is read, not taken for a missing theme.
        .find(|dir| dir.join(THEME_FILE).symlink_metadata().is_ok())
}

/// The theme names found in `root/themes/`, sorted.
pub fn available_themes(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join(THEMES_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join(THEME_FILE).is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    names.sort();
    names
}

/// Finds, reads and checks the theme the manifest names.
pub fn load_theme(report: &Report, root: &Path) -> Result<Theme, Problems> {
    let manifest = &report.manifest;
    let chosen = manifest.data.design.as_ref().and_then(|d| d.theme.as_ref());
    let name = chosen.map_or(DEFAULT_THEME, |t| t.get_ref().as_str()).to_owned();
    let span = chosen.map(toml::Spanned::span);
    let fail = |message: String| Problems(vec![manifest.file.problem(Severity::Error, span.clone(), message)]);
    if name.is_empty() || name.starts_with('.') || !name.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
        return Err(fail(format!("theme name '{name}' must be a folder name (letters, digits, '-', '_', '.')")));
    }
    let Some(dir) = find_theme(&name, &report.base, root) else {
        return Err(fail(format!(
            "theme '{name}' not found: no {THEMES_DIR}/{name}/{THEME_FILE} beside or above the manifest, nor in {} (available: {})",
            root.display(),
            available_themes(root).join(", ")
        )));
    };
    let mut problems = Problems::default();
    // Confined: a theme.toml that is a symlink out of the folder is never
    // read (its lines would be echoed in the parse errors), nor a FIFO.
    if let Err(e) = confined(&dir, THEME_FILE) {
        return Err(fail(format!("theme '{name}': {} {}", dir.join(THEME_FILE).display(), confined_reason(&e))));
    }
    let spec = read_toml::<ThemeSpec>(&dir.join(THEME_FILE), &mut problems).ok_or_else(|| problems.clone())?;
    check_spec(&spec, &mut problems);
    if let Err(e @ (PathError::Outside | PathError::NotAFile)) = confined(&dir, THEME_ART) {
        problems.push(Problem::file(Severity::Error, &dir.join(THEME_ART), confined_reason(&e)));
    } else if !dir.join(THEME_ART).is_file() {
        problems.push(Problem::file(
            Severity::Error,
            &dir.join(THEME_ART),
            format!("theme '{name}' has no {THEME_ART} (copy one from {THEMES_DIR}/{DEFAULT_THEME})"),
        ));
    }
    if problems.has_errors() {
        return Err(problems);
    }
    Ok(Theme { name, dir, spec })
}

/// Parses and checks the text of a `theme.toml` on its own; for fuzzing
/// and editor integrations.
pub fn check_theme_text(text: &str) -> Problems {
    let file = SourceFile { shown: PathBuf::from(THEME_FILE), path: PathBuf::from(THEME_FILE), text: text.to_owned() };
    match crate::source::parse::<ThemeSpec>(file) {
        Ok(spec) => {
            let mut problems = Problems::default();
            check_spec(&spec, &mut problems);
            problems
        }
        Err(found) => Problems(found),
    }
}

/// Why a theme file is refused, in words.
fn confined_reason(e: &PathError) -> String {
    match e {
        PathError::Outside => "leads outside the theme folder (through a symlink); copy the file in".into(),
        other => other.to_string(),
    }
}

/// Line spacing a theme may set, in em.
pub const LEADING_EM: std::ops::RangeInclusive<f64> = 0.1..=3.0;
/// Type sizes a theme may set, in pt.
pub const SIZE_PT: std::ops::RangeInclusive<f64> = 4.0..=200.0;

/// Checks a theme file: required palette roles, colour values and names,
/// the default accent, type scale names, sizes and leading.
pub fn check_spec(spec: &Loaded<ThemeSpec>, problems: &mut Problems) {
    let file = &spec.file;
    let theme = &spec.data;
    let at = |needle: &str| file.find(0..file.text.len(), needle);
    for role in PALETTE_ROLES {
        if !theme.palette.contains_key(role) {
            problems.push(file.problem(
                Severity::Error,
                at("[palette]"),
                format!("the palette must declare `{role}` (the components use it)"),
            ));
        }
    }
    for (name, colour) in &theme.palette {
        check_colour(file, name, colour, spec, true, problems);
    }
    for (name, accent) in &theme.accents {
        for colour in [&accent.main, &accent.tint, &accent.deep] {
            check_colour(file, name, colour, spec, false, problems);
        }
    }
    if !theme.accents.contains_key(&theme.default_accent) {
        problems.push(file.problem(
            Severity::Error,
            at(&theme.default_accent),
            format!(
                "default-accent '{}' is not one of the accents ({})",
                theme.default_accent,
                theme.accents.keys().cloned().collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    for (name, pt) in &theme.type_choices.size {
        if !TYPE_SCALE.contains(&name.as_str()) {
            problems.push(file.problem(
                Severity::Error,
                at(name),
                format!("unknown type size '{name}' (the scale has: {})", TYPE_SCALE.join(", ")),
            ));
        } else if !SIZE_PT.contains(pt) {
            problems.push(file.problem(Severity::Error, at(name), format!("type size '{name}' must be 4–200 pt")));
        }
    }
    if let Some(leading) = theme.type_choices.leading.filter(|l| !LEADING_EM.contains(l)) {
        problems.push(file.problem(
            Severity::Error,
            at("leading"),
            format!(
                "leading {leading} must be {}–{} em (the space between lines)",
                LEADING_EM.start(),
                LEADING_EM.end()
            ),
        ));
    }
}

/// Checks one colour: percentages 0–100, names that exist. Palette entries
/// may name only entries that are colours themselves.
fn check_colour(
    file: &SourceFile,
    owner: &str,
    colour: &Colour,
    spec: &Loaded<ThemeSpec>,
    in_palette: bool,
    problems: &mut Problems,
) {
    let at = file.find(0..file.text.len(), owner);
    let percents = match colour {
        Colour::Cmyk(values) => values.to_vec(),
        Colour::Spot(spot) => spot.cmyk.iter().copied().chain(spot.tint).collect(),
        Colour::Named(name) => {
            let target = spec.data.palette.get(name);
            let message = match target {
                None => Some(format!(
                    "'{owner}' names colour '{name}', which the palette does not declare (palette: {})",
                    spec.data.palette.keys().cloned().collect::<Vec<_>>().join(", ")
                )),
                Some(Colour::Named(_)) if in_palette => {
                    Some(format!("palette colour '{owner}' names '{name}', which is itself a name; give its values"))
                }
                Some(_) => None,
            };
            if let Some(message) = message {
                problems.push(file.problem(Severity::Error, at, message));
            }
            return;
        }
    };
    if percents.iter().any(|v| !(0.0..=100.0).contains(v)) {
        problems.push(file.problem(
            Severity::Error,
            at,
            format!("colour '{owner}': CMYK values and tints are percentages from 0 to 100"),
        ));
    }
}

/// Every part's accent must be one the theme declares.
pub fn check_accents(report: &Report, theme: &Theme, problems: &mut Problems) {
    for part in &report.parts {
        let Some(accent) = &part.data.accent else { continue };
        if !theme.spec.data.accents.contains_key(accent.get_ref()) {
            problems.push(part.file.problem(
                Severity::Error,
                Some(accent.span()),
                format!(
                    "unknown accent '{}': theme '{}' declares {} (in {})",
                    accent.get_ref(),
                    theme.name,
                    theme.accent_names().join(", "),
                    theme.spec.file.shown.display()
                ),
            ));
        }
    }
}

/// Checks the identity facts: the language tag, the logo and cover image
/// files, and the contact details (each located at its value).
pub fn check_identity(report: &Report, problems: &mut Problems) {
    let file = &report.manifest.file;
    let meta = &report.manifest.data.meta;
    let contacts = [
        ("address", &meta.address, check_address as fn(&str) -> Option<String>),
        ("website", &meta.website, check_website),
        ("telephone", &meta.telephone, check_telephone),
        ("email", &meta.email, check_email),
        ("qr", &meta.qr, check_qr_url),
    ];
    for (field, value, check) in contacts {
        let Some(value) = value else { continue };
        if let Some(why) = check(value) {
            let whole = 0..file.text.len();
            let span = file
                .find(whole.clone(), &format!("{field} = \"{value}\""))
                .or_else(|| file.find(whole, &format!("\"{value}\"")));
            problems.push(file.problem(Severity::Error, span, format!("{field} '{value}': {why}")));
        }
    }
    check_images(report, problems);
}

/// Checks the language tag and the identity's image files.
fn check_images(report: &Report, problems: &mut Problems) {
    let file = &report.manifest.file;
    let meta = &report.manifest.data.meta;
    if split_language(&meta.language).is_none() {
        problems.push(file.problem(
            Severity::Error,
            file.find(0..file.text.len(), &format!("\"{}\"", meta.language)),
            format!("language '{}' must be a tag such as zh-CN, zh-HK, zh-TW or en", meta.language),
        ));
    }
    for (what, image) in [("logo", &meta.logo), ("cover_image", &meta.cover_image)] {
        let Some(logo) = image else { continue };
        let span = file.find(0..file.text.len(), &format!("\"{logo}\""));
        let ext = Path::new(logo).extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let message = if !LOGO_FORMATS.contains(&ext.as_str()) && ext != "jpeg" {
            Some(format!("{what} '{logo}' must be SVG, PDF, PNG or JPEG"))
        } else {
            locate_image(&report.base, logo).err().map(|e| e.to_string())
        };
        if let Some(message) = message {
            problems.push(file.problem(Severity::Error, span, message));
        }
    }
}

/// The longest contact detail, in characters (a back cover line).
const CONTACT_MAX: usize = 200;

/// Text that cannot be printed on a line: empty, too long, or with a line
/// break or control character.
fn check_line(value: &str) -> Option<String> {
    if value.trim().is_empty() {
        Some("must not be empty (leave the field out instead)".into())
    } else if value.chars().count() > CONTACT_MAX {
        Some(format!("is longer than {CONTACT_MAX} characters"))
    } else if value.chars().any(char::is_control) {
        Some("must be one line without control characters".into())
    } else {
        None
    }
}

/// An address: one printable line.
fn check_address(value: &str) -> Option<String> {
    check_line(value)
}

/// The host of a URL without its scheme: letters, digits, '-' and '.',
/// with a dot, no empty label; then an optional path without spaces.
fn check_host_and_path(rest: &str) -> Option<String> {
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = host.split_once(':').map_or(host, |(h, _)| h);
    let labels_ok = host.split('.').all(|l| !l.is_empty() && l.chars().all(|c| c.is_alphanumeric() || c == '-'));
    if !host.contains('.') || !labels_ok {
        Some(format!("'{host}' is not a host name such as www.example.cn"))
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Some("a URL has no spaces".into())
    } else {
        None
    }
}

/// A website: `https://…`, `http://…` or a bare host such as `www.example.cn`.
fn check_website(value: &str) -> Option<String> {
    check_line(value).or_else(|| {
        let rest = value.strip_prefix("https://").or_else(|| value.strip_prefix("http://")).unwrap_or(value);
        if rest.contains("://") {
            Some("a website is https://…, http://… or a host name".into())
        } else {
            check_host_and_path(rest)
        }
    })
}

/// A QR code's URL: `https://…` or `http://…` (a phone opens what it scans).
fn check_qr_url(value: &str) -> Option<String> {
    check_line(value).or_else(|| match value.strip_prefix("https://").or_else(|| value.strip_prefix("http://")) {
        Some(rest) => check_host_and_path(rest),
        None => Some("a QR code's URL starts with https:// or http://".into()),
    })
}

/// A telephone: digits with `+`, spaces, `-`, `(`, `)`, `/` or `,` between
/// them, at least five digits.
fn check_telephone(value: &str) -> Option<String> {
    check_line(value).or_else(|| {
        let digits = value.chars().filter(char::is_ascii_digit).count();
        if let Some(c) = value.chars().find(|c| !c.is_ascii_digit() && !" +-()/,".contains(*c)) {
            Some(format!("'{c}' is not part of a telephone number (digits, spaces, + - ( ) / ,)"))
        } else if digits < 5 {
            Some("a telephone number has at least five digits".into())
        } else {
            None
        }
    })
}

/// An e-mail address: `name@host.domain`, no spaces.
fn check_email(value: &str) -> Option<String> {
    check_line(value).or_else(|| {
        let Some((local, host)) = value.split_once('@') else {
            return Some("an e-mail address has the form name@example.cn".into());
        };
        if local.is_empty() || local.chars().any(|c| c.is_whitespace() || c == '@') || host.contains('/') {
            Some("an e-mail address has the form name@example.cn".into())
        } else {
            check_host_and_path(host)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::{check_email, check_qr_url, check_telephone, check_website};

    #[test]
    fn contact_details_are_checked() {
        assert_eq!(check_website("www.10086.cn/aboutus/csr/report"), None);
        assert_eq!(check_website("https://example.cn"), None);
        assert!(check_website("not a site").is_some());
        assert!(check_website("ftp://example.cn").is_some());
        assert_eq!(check_qr_url("https://www.example.cn/esg"), None);
        assert!(check_qr_url("www.example.cn").is_some());
        assert_eq!(check_email("CR@chinamobile.com"), None);
        assert!(check_email("esg.example.cn").is_some());
        assert!(check_email("a@b").is_some());
        assert!(check_email("a@b.cn/x").is_some());
        assert_eq!(check_telephone("+86 571 8888 0000"), None);
        assert!(check_telephone("call us").is_some());
        assert!(check_telephone("123").is_some());
    }
}
