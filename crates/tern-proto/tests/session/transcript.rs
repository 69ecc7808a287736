//! The transcript file format of the server-session tests (see `mod.rs`), shared by the
//! in-memory runs here and the TCP runs in tern-server's tests.

use std::path::Path;

use tern_proto::{LineEndingPolicy, SessionConfig};

/// One parsed transcript.
pub struct Transcript {
    pub name: String,
    pub config: SessionConfig,
    pub implicit_tls: bool,
    /// Client bytes, in segments separated by TLS handshakes.
    pub segments: Vec<Vec<u8>>,
    /// Everything the server must send.
    pub expected: Vec<u8>,
    /// The same, per segment (the server's bytes before each handshake).
    pub expected_segments: Vec<Vec<u8>>,
    pub body: Option<Vec<u8>>,
}

pub fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && i + 1 < bytes.len() {
            match bytes[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b't' => out.push(b'\t'),
                b'0' => out.push(0),
                b'\\' => out.push(b'\\'),
                b'x' if i + 3 < bytes.len() => {
                    let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 4;
                    continue;
                }
                other => {
                    out.push(b'\\');
                    out.push(other);
                }
            }
            i += 2;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Parses a transcript file.
pub fn parse(name: &str, text: &str) -> Transcript {
    let mut config = SessionConfig {
        auth_available: false,
        ..SessionConfig::default()
    };
    let mut implicit_tls = false;
    let mut segments = vec![Vec::new()];
    let mut expected = Vec::new();
    let mut expected_segments = vec![Vec::new()];
    let mut body: Option<Vec<u8>> = None;
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        if line == "--- tls" {
            segments.push(Vec::new());
            expected_segments.push(Vec::new());
        } else if let Some(rest) = line.strip_prefix("@ ") {
            let (key, value) = rest.split_once('=').expect("@ key = value");
            let (key, value) = (key.trim(), value.trim());
            let flag = value == "true";
            match key {
                "starttls" => config.starttls_available = flag,
                "auth" => config.auth_available = flag,
                "auth_required" => config.auth_required = flag,
                "tls_required" => config.tls_required = flag,
                "implicit_tls" => implicit_tls = flag,
                "max_recipients" => config.max_recipients = value.parse().unwrap(),
                "max_errors" => config.max_errors = value.parse().unwrap(),
                "max_message_size" => config.max_message_size = value.parse().unwrap(),
                "max_line" => config.max_line = value.parse().unwrap(),
                "line_endings" => {
                    config.line_endings = match value {
                        "reject" => LineEndingPolicy::Reject,
                        _ => LineEndingPolicy::Normalize,
                    }
                }
                other => panic!("{name}: unknown setting {other}"),
            }
        } else if let Some(rest) = line
            .strip_prefix("C: ")
            .or_else(|| (line == "C:").then_some(""))
        {
            let seg = segments.last_mut().unwrap();
            seg.extend(unescape(rest));
            seg.extend_from_slice(b"\r\n");
        } else if let Some(rest) = line.strip_prefix("C< ") {
            segments.last_mut().unwrap().extend(unescape(rest));
        } else if let Some(rest) = line.strip_prefix("S: ").or_else(|| line.strip_prefix("S:")) {
            let mut line = unescape(rest);
            line.extend_from_slice(b"\r\n");
            expected.extend_from_slice(&line);
            expected_segments.last_mut().unwrap().extend(line);
        } else if let Some(rest) = line.strip_prefix("B: ").or_else(|| line.strip_prefix("B:")) {
            let b = body.get_or_insert_with(Vec::new);
            b.extend(unescape(rest));
            b.extend_from_slice(b"\r\n");
        } else {
            panic!("{name}: cannot read line {line:?}");
        }
    }
    Transcript {
        name: name.to_owned(),
        config,
        implicit_tls,
        segments,
        expected,
        expected_segments,
        body,
    }
}

/// Every `*.txt` transcript in `dir`, sorted by name.
pub fn load_dir(dir: &Path) -> Vec<Transcript> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            parse(&name, &std::fs::read_to_string(p).unwrap())
        })
        .collect()
}
