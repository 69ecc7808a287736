//! The one switch that decides what bare CR and bare LF mean, in commands and in DATA.

/// What to do with a bare LF (an LF not preceded by CR) or a bare CR (a CR not followed by
/// LF), in command lines and in DATA.
///
/// RFC 5321 §2.3.8 says lines end with CRLF only, and §4.1.1.4 that CR and LF must not
/// appear alone in DATA. Real clients still send bare LF (scripts, old libraries), so the
/// default normalises; a site that wants RFC-strictness (or defence against SMTP smuggling
/// on receivers downstream) chooses [`LineEndingPolicy::Reject`].
///
/// | where | `Normalize` (default) | `Reject` |
/// |---|---|---|
/// | command line, bare LF | ends the line, like CRLF | the line is consumed and reported as [`crate::LineError::BareLf`] |
/// | command line, bare CR | kept as a byte of the line (the command parser then refuses it, unless it is trailing whitespace) | the line is consumed and reported as [`crate::LineError::BareCr`] |
/// | DATA, bare LF or CR | written to the body as CRLF | the message is consumed to its end, not stored, and reported as [`crate::DataOutcome::BareLineEnding`] |
///
/// In both modes, and in DATA above all, **only CR LF** starts a line for dot-unstuffing and
/// for the end-of-data marker: a bare LF or bare CR never makes `.` the end of the data
/// (the SMTP smuggling vectors `\n.\n`, `\n.\r\n`, `\r.\r\n`, `\r\n.\r` stay in the body).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LineEndingPolicy {
    /// Accept bare LF / bare CR, normalising them (see the table above).
    #[default]
    Normalize,
    /// Refuse any line or message that contains a bare LF or bare CR.
    Reject,
}

/// Which bare line ending was seen (for [`LineEndingPolicy::Reject`] reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BareLineEnding {
    /// An LF not preceded by CR.
    Lf,
    /// A CR not followed by LF.
    Cr,
}

impl BareLineEnding {
    /// A short description: "bare LF" or "bare CR".
    pub fn as_str(self) -> &'static str {
        match self {
            BareLineEnding::Lf => "bare LF",
            BareLineEnding::Cr => "bare CR",
        }
    }
}

impl std::fmt::Display for BareLineEnding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
