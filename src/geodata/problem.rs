//! Problems found in the data, each located as precisely as the reader can (file, line,
//! feature, field), and the collector a reader files them with.

use std::fmt;

/// How serious a problem in the data is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// One thing wrong with the data, located as precisely as the reader can.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Problem {
    pub severity: Severity,
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// "feature 3 (27214.33.1)"
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{label}: {}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(feature) = &self.feature {
            write!(f, ": {feature}")?;
        }
        if let Some(field) = &self.field {
            write!(f, ": field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Collects problems for one file.
pub(super) struct Problems<'a> {
    pub file: &'a str,
    pub list: &'a mut Vec<Problem>,
}

impl Problems<'_> {
    pub fn push(
        &mut self,
        severity: Severity,
        line: Option<usize>,
        feature: Option<String>,
        field: Option<&str>,
        message: impl Into<String>,
    ) {
        self.list.push(Problem {
            severity,
            file: self.file.to_string(),
            line,
            feature,
            field: field.map(str::to_string),
            message: message.into(),
        });
    }

    pub fn file_error(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.push(Severity::Error, line, None, None, message);
    }
}
