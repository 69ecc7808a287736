//! TLS for STARTTLS (RFC 3207) and implicit TLS (RFC 8314): the server certificate and the
//! negotiated facts that go into `Received:` headers and the envelope.
//!
//! [`TlsSetup::load`] builds one [`rustls::ServerConfig`] (aws-lc-rs provider, TLS 1.2 and 1.3,
//! no client certificates) shared by every listener:
//!
//! - with `[tls] certificate` and `key` configured, from those PEM files (the chain, leaf first,
//!   and a PKCS#8, PKCS#1 or SEC1 private key that must match the leaf);
//! - without them, from a self-signed certificate that Tern generates at first start and keeps
//!   in `data_dir/tls/cert.pem` and `data_dir/tls/key.pem` (mode 0600), so that the certificate
//!   stays the same across restarts. [`TlsSetup::is_self_signed`] tells the caller to log a
//!   warning: clients that verify certificates will refuse it, and opportunistic STARTTLS
//!   between MTAs still works.
//!
//! The generated certificate names the configured hostname, `localhost`, `127.0.0.1` and `::1`.
//! It is reused as long as both files exist, even if the hostname changed since; delete the
//! `tls` directory to generate a new one.

use std::fmt;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::{ClientConfig, ProtocolVersion, RootCertStore, ServerConfig, ServerConnection};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

/// Sub-directory of the data directory holding the generated certificate.
pub const TLS_DIR: &str = "tls";
/// File name of the generated certificate (PEM) inside [`TLS_DIR`].
pub const CERT_FILE: &str = "cert.pem";
/// File name of the generated private key (PEM, PKCS#8, mode 0600) inside [`TLS_DIR`].
pub const KEY_FILE: &str = "key.pem";

/// Why the TLS configuration could not be set up. Every variant names the file involved.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Only one of `tls.certificate` and `tls.key` is set.
    #[error("tls.certificate and tls.key must be set together (only {given} is set)")]
    Incomplete {
        /// The key that is set.
        given: &'static str,
    },
    /// A file could not be opened or read.
    #[error("{}: cannot read the {what}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// "certificate" or "private key".
        what: &'static str,
        /// The I/O error.
        source: io::Error,
    },
    /// A file is not valid PEM, or holds nothing of the expected kind.
    #[error("{}: {problem}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What is wrong, in words.
        problem: String,
    },
    /// rustls refused the certificate and key (the key does not match the certificate, an
    /// unsupported key type, ...).
    #[error("{} and {}: {source}", certificate.display(), key.display())]
    Rejected {
        /// The certificate file.
        certificate: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What rustls said.
        source: rustls::Error,
    },
    /// Generating the self-signed certificate failed.
    #[error("cannot generate a self-signed certificate for {hostname:?}: {source}")]
    Generate {
        /// The hostname it was for.
        hostname: String,
        /// What rcgen said.
        source: rcgen::Error,
    },
    /// The certificate Tern generated earlier cannot be used.
    #[error("{source} (Tern generated this certificate: delete {} to generate a new one)", dir.display())]
    Stored {
        /// The directory holding the generated certificate.
        dir: PathBuf,
        /// What is wrong with it.
        source: Box<TlsError>,
    },
    /// Storing the generated certificate failed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file or directory.
        path: PathBuf,
        /// The I/O error.
        source: io::Error,
    },
}

/// The server's TLS configuration, ready for `tokio_rustls::TlsAcceptor::from`.
#[derive(Clone)]
pub struct TlsSetup {
    server_config: Arc<ServerConfig>,
    chain: Vec<CertificateDer<'static>>,
    self_signed: bool,
    certificate_path: PathBuf,
    key_path: PathBuf,
}

impl fmt::Debug for TlsSetup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsSetup")
            .field("certificate_path", &self.certificate_path)
            .field("key_path", &self.key_path)
            .field("chain_len", &self.chain.len())
            .field("self_signed", &self.self_signed)
            .finish_non_exhaustive()
    }
}

impl TlsSetup {
    /// Loads the configured certificate and key, or the generated self-signed certificate
    /// (generating it on first use) when none is configured.
    ///
    /// `hostname` is used only when generating; `data_dir` only when none is configured.
    pub fn load(
        config: &tern_config::Tls,
        data_dir: &Path,
        hostname: &str,
    ) -> Result<TlsSetup, TlsError> {
        match (&config.certificate, &config.key) {
            (Some(cert), Some(key)) => Self::from_files(cert, key, false),
            (Some(_), None) => Err(TlsError::Incomplete {
                given: "tls.certificate",
            }),
            (None, Some(_)) => Err(TlsError::Incomplete { given: "tls.key" }),
            (None, None) => {
                let dir = data_dir.join(TLS_DIR);
                let cert = dir.join(CERT_FILE);
                let key = dir.join(KEY_FILE);
                if !(cert.exists() && key.exists()) {
                    generate_self_signed(&dir, &cert, &key, hostname)?;
                }
                Self::from_files(&cert, &key, true).map_err(|e| TlsError::Stored {
                    dir,
                    source: Box::new(e),
                })
            }
        }
    }

    fn from_files(cert: &Path, key: &Path, self_signed: bool) -> Result<TlsSetup, TlsError> {
        let chain = read_chain(cert)?;
        let key_der = read_key(key)?;
        let server_config = ServerConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .and_then(|b| {
                b.with_no_client_auth()
                    .with_single_cert(chain.clone(), key_der)
            })
            .map_err(|source| TlsError::Rejected {
                certificate: cert.to_path_buf(),
                key: key.to_path_buf(),
                source,
            })?;
        Ok(TlsSetup {
            server_config: Arc::new(server_config),
            chain,
            self_signed,
            certificate_path: cert.to_path_buf(),
            key_path: key.to_path_buf(),
        })
    }

    /// The configuration for `tokio_rustls::TlsAcceptor`.
    pub fn server_config(&self) -> Arc<ServerConfig> {
        Arc::clone(&self.server_config)
    }

    /// True when the certificate is the one Tern generated (not configured by the operator):
    /// the caller should log a warning.
    pub fn is_self_signed(&self) -> bool {
        self.self_signed
    }

    /// The certificate file in use.
    pub fn certificate_path(&self) -> &Path {
        &self.certificate_path
    }

    /// The private key file in use.
    pub fn key_path(&self) -> &Path {
        &self.key_path
    }

    /// The certificate chain, leaf first.
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// For tests and the CLI: a client configuration whose only trust anchors are the
    /// certificates of this chain, so it accepts this server and nothing else.
    ///
    /// With the generated (self-signed) certificate this is exact, and the usual name checks
    /// apply (`localhost`, `127.0.0.1`, `::1`, the hostname). A configured chain is trusted
    /// through its own certificates, so it works when the chain includes the issuer of the
    /// leaf (or the leaf is self-signed).
    pub fn client_config_trusting(&self) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        // A certificate that is not a valid trust anchor is skipped; the leaf of a generated
        // certificate always is.
        let _ = roots.add_parsable_certificates(self.chain.iter().cloned());
        let config = ClientConfig::builder_with_provider(provider())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .expect("the aws-lc-rs provider supports TLS 1.2 and 1.3")
            .with_root_certificates(roots)
            .with_no_client_auth();
        Arc::new(config)
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn pem_problem(path: &Path, what: &'static str, err: rustls_pki_types::pem::Error) -> TlsError {
    use rustls_pki_types::pem::Error as E;
    match err {
        E::Io(source) => TlsError::Read {
            path: path.to_path_buf(),
            what,
            source,
        },
        E::NoItemsFound => TlsError::Pem {
            path: path.to_path_buf(),
            problem: format!("no PEM {what} found in this file"),
        },
        other => TlsError::Pem {
            path: path.to_path_buf(),
            problem: format!("not a valid PEM {what}: {other}"),
        },
    }
}

fn read_chain(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    const WHAT: &str = "certificate";
    let iter = CertificateDer::pem_file_iter(path).map_err(|e| pem_problem(path, WHAT, e))?;
    let chain = iter
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_problem(path, WHAT, e))?;
    if chain.is_empty() {
        return Err(pem_problem(
            path,
            WHAT,
            rustls_pki_types::pem::Error::NoItemsFound,
        ));
    }
    Ok(chain)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_problem(path, "private key", e))
}

fn generate_self_signed(
    dir: &Path,
    cert: &Path,
    key: &Path,
    hostname: &str,
) -> Result<(), TlsError> {
    let gen_err = |source| TlsError::Generate {
        hostname: hostname.to_string(),
        source,
    };
    let mut names = vec![hostname.to_string()];
    for extra in ["localhost", "127.0.0.1", "::1"] {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(extra)) {
            names.push(extra.to_string());
        }
    }
    let mut params = rcgen::CertificateParams::new(names).map_err(gen_err)?;
    params.distinguished_name = rcgen::DistinguishedName::new();
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, hostname);
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "Tern self-signed");
    params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let signing_key = rcgen::KeyPair::generate().map_err(gen_err)?;
    let certificate = params.self_signed(&signing_key).map_err(gen_err)?;

    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(|source| TlsError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    // The key first: a certificate without its key would be useless.
    write_atomically(key, signing_key.serialize_pem().as_bytes())?;
    write_atomically(cert, certificate.pem().as_bytes())?;
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| TlsError::Write {
            path: dir.to_path_buf(),
            source,
        })
}

/// Writes one file of the generated certificate (see [`crate::atomic`]).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), TlsError> {
    crate::atomic::replace_private_file(path, bytes).map_err(|source| TlsError::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// The negotiated TLS facts of a connection, as they appear in `Received:` headers
/// (`using TLSv1.3 with cipher TLS13_AES_256_GCM_SHA384`) and in the stored envelope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TlsInfo {
    /// `TLSv1.2` or `TLSv1.3`.
    pub version: String,
    /// The IANA-style rustls name of the cipher suite, e.g. `TLS13_AES_256_GCM_SHA384`.
    pub cipher: String,
}

impl TlsInfo {
    /// The facts of a connection whose handshake has completed; `None` before that.
    pub fn from_connection(conn: &ServerConnection) -> Option<TlsInfo> {
        let version = conn.protocol_version()?;
        let suite = conn.negotiated_cipher_suite()?;
        Some(TlsInfo {
            version: version_name(version),
            cipher: suite
                .suite()
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| format!("{:?}", suite.suite())),
        })
    }
}

impl fmt::Display for TlsInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} with cipher {}", self.version, self.cipher)
    }
}

fn version_name(version: ProtocolVersion) -> String {
    match version {
        ProtocolVersion::TLSv1_3 => "TLSv1.3".into(),
        ProtocolVersion::TLSv1_2 => "TLSv1.2".into(),
        ProtocolVersion::TLSv1_1 => "TLSv1.1".into(),
        ProtocolVersion::TLSv1_0 => "TLSv1.0".into(),
        other => format!("{other:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn no_tls() -> tern_config::Tls {
        tern_config::Tls::default()
    }

    #[test]
    fn generates_self_signed_once_and_reuses_it() {
        let dir = tempfile::tempdir().unwrap();
        let first = TlsSetup::load(&no_tls(), dir.path(), "mx.example.org").unwrap();
        assert!(first.is_self_signed());
        let key = dir.path().join("tls/key.pem");
        let cert = dir.path().join("tls/cert.pem");
        assert_eq!(
            fs::metadata(&key).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(
            fs::read_to_string(&cert)
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----")
        );
        let second = TlsSetup::load(&no_tls(), dir.path(), "other.example.org").unwrap();
        assert!(second.is_self_signed());
        assert_eq!(
            first.chain(),
            second.chain(),
            "the stored certificate is reused"
        );
        assert_eq!(second.certificate_path(), cert);
        assert_eq!(second.key_path(), key);
        // No temporary files are left behind.
        let names: Vec<_> = fs::read_dir(dir.path().join("tls"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn configured_files_are_used_and_not_self_signed() {
        let dir = tempfile::tempdir().unwrap();
        let generated = TlsSetup::load(&no_tls(), dir.path(), "mx.example.org").unwrap();
        let config = tern_config::Tls {
            enabled: true,
            certificate: Some(generated.certificate_path().to_path_buf()),
            key: Some(generated.key_path().to_path_buf()),
        };
        let other = tempfile::tempdir().unwrap();
        let loaded = TlsSetup::load(&config, other.path(), "ignored").unwrap();
        assert!(!loaded.is_self_signed());
        assert_eq!(loaded.chain(), generated.chain());
        assert!(!other.path().join("tls").exists(), "nothing generated");
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.pem");
        let garbage = dir.path().join("garbage.pem");
        fs::write(&garbage, "hello\n").unwrap();
        let broken = dir.path().join("broken.pem");
        fs::write(
            &broken,
            "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let good = TlsSetup::load(&no_tls(), dir.path(), "a.example").unwrap();
        let good_cert = good.certificate_path().to_path_buf();
        let good_key = good.key_path().to_path_buf();

        let load = |c: &Path, k: &Path| {
            let config = tern_config::Tls {
                enabled: true,
                certificate: Some(c.to_path_buf()),
                key: Some(k.to_path_buf()),
            };
            TlsSetup::load(&config, dir.path(), "x")
                .unwrap_err()
                .to_string()
        };
        let e = load(&missing, &good_key);
        assert!(
            e.contains("missing.pem") && e.contains("cannot read the certificate"),
            "{e}"
        );
        let e = load(&garbage, &good_key);
        assert!(
            e.contains("garbage.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
        let e = load(&broken, &good_key);
        assert!(
            e.contains("broken.pem") && e.contains("not a valid PEM certificate"),
            "{e}"
        );
        let e = load(&good_cert, &garbage);
        assert!(
            e.contains("garbage.pem") && e.contains("no PEM private key"),
            "{e}"
        );
        // The certificate file holds no private key.
        let e = load(&good_cert, &good_cert);
        assert!(e.contains("cert.pem") && e.contains("private key"), "{e}");

        // A key that does not belong to the certificate.
        let other_dir = tempfile::tempdir().unwrap();
        let other = TlsSetup::load(&no_tls(), other_dir.path(), "b.example").unwrap();
        let e = load(&good_cert, other.key_path());
        assert!(e.contains("cert.pem") && e.contains("key.pem"), "{e}");

        let half = tern_config::Tls {
            enabled: true,
            certificate: Some(good_cert),
            key: None,
        };
        let e = TlsSetup::load(&half, dir.path(), "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("only tls.certificate is set"), "{e}");
    }

    #[test]
    fn a_damaged_generated_certificate_says_how_to_recover() {
        let dir = tempfile::tempdir().unwrap();
        TlsSetup::load(&no_tls(), dir.path(), "mx.example.org").unwrap();
        fs::write(dir.path().join("tls/cert.pem"), "").unwrap();
        let e = TlsSetup::load(&no_tls(), dir.path(), "mx.example.org")
            .unwrap_err()
            .to_string();
        assert!(e.contains("cert.pem: no PEM certificate found"), "{e}");
        assert!(
            e.contains("delete") && e.contains("/tls to generate a new one"),
            "{e}"
        );
        // A missing half is regenerated.
        fs::remove_file(dir.path().join("tls/cert.pem")).unwrap();
        assert!(TlsSetup::load(&no_tls(), dir.path(), "mx.example.org").is_ok());
    }

    #[test]
    fn version_names() {
        assert_eq!(version_name(ProtocolVersion::TLSv1_3), "TLSv1.3");
        assert_eq!(version_name(ProtocolVersion::TLSv1_2), "TLSv1.2");
        let info = TlsInfo {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_128_GCM_SHA256".into(),
        };
        assert_eq!(
            info.to_string(),
            "TLSv1.3 with cipher TLS13_AES_128_GCM_SHA256"
        );
    }

    /// A full handshake in memory, both protocol versions, and the facts it yields.
    #[test]
    fn in_memory_handshake_yields_tls_info() {
        let dir = tempfile::tempdir().unwrap();
        let setup = TlsSetup::load(&no_tls(), dir.path(), "mx.example.org").unwrap();
        for name in ["localhost", "mx.example.org", "127.0.0.1"] {
            let mut server = ServerConnection::new(setup.server_config()).unwrap();
            assert!(TlsInfo::from_connection(&server).is_none());
            let server_name = rustls_pki_types::ServerName::try_from(name)
                .unwrap()
                .to_owned();
            let mut client =
                rustls::ClientConnection::new(setup.client_config_trusting(), server_name).unwrap();
            for _ in 0..10 {
                if !client.is_handshaking() && !server.is_handshaking() {
                    break;
                }
                let mut buf = Vec::new();
                client.write_tls(&mut buf).unwrap();
                server.read_tls(&mut buf.as_slice()).unwrap();
                server.process_new_packets().unwrap();
                let mut buf = Vec::new();
                server.write_tls(&mut buf).unwrap();
                client.read_tls(&mut buf.as_slice()).unwrap();
                client.process_new_packets().unwrap();
            }
            assert!(!server.is_handshaking(), "{name}");
            let info = TlsInfo::from_connection(&server).unwrap();
            assert_eq!(info.version, "TLSv1.3");
            assert!(info.cipher.starts_with("TLS13_"), "{info:?}");
        }
    }

    #[test]
    fn client_config_trusting_rejects_other_names() {
        let dir = tempfile::tempdir().unwrap();
        let setup = TlsSetup::load(&no_tls(), dir.path(), "mx.example.org").unwrap();
        let mut server = ServerConnection::new(setup.server_config()).unwrap();
        let name = rustls_pki_types::ServerName::try_from("evil.example").unwrap();
        let mut client =
            rustls::ClientConnection::new(setup.client_config_trusting(), name).unwrap();
        let mut failed = false;
        for _ in 0..10 {
            let mut buf = Vec::new();
            client.write_tls(&mut buf).unwrap();
            server.read_tls(&mut buf.as_slice()).unwrap();
            if server.process_new_packets().is_err() {
                failed = true;
                break;
            }
            let mut buf = Vec::new();
            server.write_tls(&mut buf).unwrap();
            client.read_tls(&mut buf.as_slice()).unwrap();
            if client.process_new_packets().is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed, "a name the certificate does not carry is refused");
    }
}
