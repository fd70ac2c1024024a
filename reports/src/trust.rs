//! What a client would make of the server's certificate: the record of the scanner's trust
//! judgement (made at scan time against the public roots and the `--ca-file` CAs, the way
//! clients judge a chain), so that a saved run is re-ranked without the certificates.

use serde::{Deserialize, Serialize};

use crate::vocab::word_enum;

word_enum! {
    /// Why a client does not trust the chain: the words of its warning.
    Untrusted, "untrusted reason" {
        /// Issued by itself and not an anchor: the Windows default for Remote Desktop.
        SelfSigned => "self_signed",
        /// Issued by a CA the client does not trust.
        UnknownIssuer => "unknown_issuer",
        Expired => "expired",
        NotYetValid => "not_yet_valid",
        /// A signature the verifier refuses (SHA-1, RSA under 2048 bits, broken).
        BadSignature => "bad_signature",
        /// Its extended key usage is not server authentication.
        NotForServers => "not_for_servers",
        /// A name that is not valid text for its string type (a UTF8String that is not UTF-8):
        /// OpenSSL-based clients cannot even parse the certificate.
        Unparsable => "unparsable",
        /// Unreadable, or refused for another reason.
        Invalid => "invalid",
    }
}

/// The scanner's trust judgement of a host's certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertTrust {
    /// Why a client does not trust the chain; `None` when it does.
    pub untrusted: Option<Untrusted>,
    /// The name a client connects to: the target's host name, or with `--deep` the NTLM DNS
    /// computer name; `None` when only the address is known.
    pub name: Option<String>,
    /// Whether the certificate is valid for `name`; `None` without a name.
    pub name_match: Option<bool>,
}

impl CertTrust {
    /// True when a client trusts the chain.
    pub fn trusted(&self) -> bool {
        self.untrusted.is_none()
    }
}
