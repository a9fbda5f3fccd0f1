//! The report's identity: the facts about the organisation and the report
//! that the cover, running heads, PDF metadata and back cover print. The
//! manifest states them in `[meta]`; what it leaves out is derived here.

use serde::Serialize;

use super::Meta;

/// The identity as the layouts read it (`data.identity`): every field set.
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    /// The organisation's full name.
    pub organisation: String,
    /// The short name (defaults to the full name).
    pub organisation_short: String,
    /// The kind of report, as the cover prints it.
    pub report_type: String,
    /// The full title.
    pub title: String,
    /// The English title, if any.
    pub title_en: Option<String>,
    /// The reporting year.
    pub year: i32,
    /// The logo's virtual path in the Typst world, once prepared.
    pub logo: Option<String>,
    /// Typst's `text.lang`: an ISO 639 code.
    pub lang: String,
    /// Typst's `text.region`: an ISO 3166-1 alpha-2 code, if any.
    pub region: Option<String>,
    /// The cover image's virtual path in the Typst world, once prepared.
    pub cover_image: Option<String>,
    /// Postal address.
    pub address: Option<String>,
    /// Website.
    pub website: Option<String>,
    /// Telephone.
    pub telephone: Option<String>,
    /// E-mail address.
    pub email: Option<String>,
    /// The QR code's URL; resolve adds the code's modules (`url`, `width`,
    /// `runs`) for the layouts.
    pub qr: Option<String>,
}

impl Meta {
    /// The identity, with derived values for the fields the manifest leaves
    /// out; the logo is filled in when it has been prepared.
    pub fn identity(&self) -> Identity {
        let (lang, region) = split_language(&self.language).unwrap_or_else(|| (self.language.clone(), None));
        Identity {
            organisation: self.organisation.clone(),
            organisation_short: self.organisation_short.clone().unwrap_or_else(|| self.organisation.clone()),
            report_type: self
                .report_type
                .clone()
                .unwrap_or_else(|| derive_report_type(&self.title, &self.organisation, self.year)),
            title: self.title.clone(),
            title_en: self.title_en.clone(),
            year: self.year,
            logo: None,
            lang,
            region,
            cover_image: None,
            address: self.address.clone(),
            website: self.website.clone(),
            telephone: self.telephone.clone(),
            email: self.email.clone(),
            qr: self.qr.clone(),
        }
    }
}

/// What is left of the title without the organisation and the year: the
/// report type of a title written `<organisation><year><type>`.
pub fn derive_report_type(title: &str, organisation: &str, year: i32) -> String {
    let rest = title.strip_prefix(organisation).unwrap_or(title).trim();
    let rest = rest.strip_prefix(&year.to_string()).unwrap_or(rest).trim();
    if rest.is_empty() { title.to_owned() } else { rest.to_owned() }
}

/// Splits a language tag such as `zh-CN`, `zh-HK`, `zh-TW` or `en` into the
/// Typst language and region; `None` if it is not of that form.
pub fn split_language(tag: &str) -> Option<(String, Option<String>)> {
    let mut parts = tag.split(['-', '_']);
    let lang = parts.next()?;
    let region = parts.next();
    let ok_lang = (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic());
    let ok_region = region.is_none_or(|r| r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()));
    if !ok_lang || !ok_region || parts.next().is_some() {
        return None;
    }
    Some((lang.to_ascii_lowercase(), region.map(str::to_ascii_lowercase)))
}

#[cfg(test)]
mod tests {
    use super::{derive_report_type, split_language};

    #[test]
    fn report_type_is_the_title_without_organisation_and_year() {
        assert_eq!(derive_report_type("甲公司2020年度报告", "甲公司", 2020), "年度报告");
        assert_eq!(derive_report_type("甲公司 2023 责任报告", "甲公司", 2023), "责任报告");
        assert_eq!(derive_report_type("年度报告", "乙公司", 2021), "年度报告");
    }

    #[test]
    fn language_tags_split_into_lang_and_region() {
        assert_eq!(split_language("zh-CN"), Some(("zh".into(), Some("cn".into()))));
        assert_eq!(split_language("zh-TW"), Some(("zh".into(), Some("tw".into()))));
        assert_eq!(split_language("en"), Some(("en".into(), None)));
        assert_eq!(split_language("chinese"), None);
        assert_eq!(split_language("zh-Hant-TW"), None);
    }
}
