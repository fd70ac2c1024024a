//! The catalogue: each code's severity (and why) and the fix administrators use.
//!
//! Severities mean what a client experiences (see `outcome`): `high` that a current client with
//! default settings fails to connect (0x904: the connection is cut during security setup);
//! `medium` that it connects only after a warning a sound host would not give it (an expired
//! or not-yet-valid certificate, one for another name, standard RDP security, a negotiation the
//! client must retry), or that it will fail soon (the expiry window), or that some connections
//! fail; `low` a weakness that stops no connection; `info` a fact that never raises risk. A
//! self-signed certificate that is otherwise sound is the Windows default and, in a domain,
//! clients often authenticate the server by Kerberos instead: `info`. Under the strict client
//! policy (clients that enforce server authentication) every warning is a failure: those codes
//! are `high`.

use super::{FindingCode, Severity};
use crate::outcome::ClientPolicy;

impl FindingCode {
    /// The severity every finding with this code has, for clients under `client`.
    pub fn severity(self, client: ClientPolicy) -> Severity {
        use FindingCode::*;
        match self {
            // A warning the user must accept: a failure for clients that enforce server
            // authentication.
            CertExpired
            | CertNotYetValid
            | CertNameMismatch
            | RdpStandardSecurityOnly
            | NegSslNotAllowed
                if client == ClientPolicy::Strict =>
            {
                Severity::High
            }
            // The Windows default (self-signed): no risk for clients that accept it.
            CertUntrusted if client == ClientPolicy::Strict => Severity::High,
            CertUntrusted => Severity::Info,
            // No usable certificate: the server refuses the TLS the client asks for.
            NegSslCertNotOnServer => Severity::High,
            // The server wants a client certificate, which Remote Desktop clients do not send.
            NegSslWithUserAuthRequired => Severity::High,
            // The client asked for SSL and HYBRID and was refused: a refusal of its own request.
            NegSslRequired | NegHybridRequired | NegFailureOther => Severity::High,
            // The Confirm selects what the client did not ask for: it gives up.
            NegUnexpectedProtocol => Severity::High,
            // With --deep: no protocol request at all was accepted, not even standard security.
            NoProtocolAccepted => Severity::High,
            // A certificate clients cannot parse: the TLS handshake fails on their side.
            CertMalformed => Severity::High,
            // Closed, reset, alert or silence after the ClientHello: the 0x904 signature.
            TlsHandshakeFailed | TlsHandshakeTimeout => Severity::High,
            // Clients with TLS 1.0/1.1 disabled (current baselines and Windows builds) cannot
            // complete the handshake at all.
            TlsLegacyOnly => Severity::High,
            // Accepted, then silence or a cut before the Confirm: the client sees the socket
            // close while connecting.
            X224NoResponse | X224Closed => Severity::High,
            // Something else answers, or RDP framing that cannot be right: every client fails.
            NotRdp | X224Malformed => Severity::High,
            // The client connects after a warning a sound host would not give.
            CertExpired | CertNotYetValid | CertNameMismatch => Severity::Medium,
            // Standard RDP security, or a refusal of TLS after which the client retries with
            // it: the server's identity cannot be verified, the client warns.
            RdpStandardSecurityOnly | NegSslNotAllowed => Severity::Medium,
            // Works today, warns (then fails) when the certificate expires within the window.
            CertExpiringSoon => Severity::Medium,
            // Some attempts failed: some client connections will too.
            Intermittent => Severity::Medium,
            // CredSSP with Kerberos fails beyond five minutes of skew: domain clients that
            // connect by name are refused their logon.
            ClockSkew => Severity::Medium,
            // TLS completes with them (even at OpenSSL security level 2 for a self-signed leaf,
            // and in the Microsoft client): a weakness, not a failed connection.
            CertWeakKey | CertWeakSignature => Severity::Low,
            // Slow is not failed, but it is close to the client's own timeouts.
            SlowHandshake => Severity::Low,
            // Clients without FIPS methods (rdesktop) fail; mstsc and FreeRDP connect.
            RdpFipsOnly => Severity::Low,
            // Weak encryption is a weakness, not a failed connection.
            RdpEncryptionLow => Severity::Low,
            // Facts about what the listener allows: they never stop a connection.
            NlaNotRequired | Tls10Enabled => Severity::Info,
        }
    }

    /// The fix, in one sentence an administrator can act on.
    pub fn remediation(self) -> &'static str {
        use FindingCode::*;
        match self {
            CertExpired => {
                "Delete the expired certificate from the Remote Desktop certificate store \
                 (Certificates, Local Computer, Remote Desktop) and restart Remote Desktop \
                 Services so it regenerates one (or deploy a new certificate from your CA), \
                 repairing the MachineKeys folder permissions first if renewal keeps failing."
            }
            CertNotYetValid => {
                "Fix the host's clock (time source and time zone), then delete the certificate \
                 from the Remote Desktop certificate store and restart Remote Desktop Services \
                 so it is regenerated with a correct validity period."
            }
            CertExpiringSoon => {
                "Renew the certificate before it expires (delete a self-signed one from the \
                 Remote Desktop certificate store and restart Remote Desktop Services, or \
                 reissue it from your CA) and check that the MachineKeys folder permissions \
                 let automatic renewal succeed."
            }
            CertWeakKey => {
                "Replace the certificate with one whose RSA key has at least 2048 bits (or an \
                 ECDSA P-256 key) and restart Remote Desktop Services."
            }
            CertWeakSignature => {
                "Reissue the certificate with a SHA-256 (or stronger) signature and restart \
                 Remote Desktop Services."
            }
            NegSslCertNotOnServer => {
                "Repair the permissions on the MachineKeys folder \
                 (C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys) or rebuild it, delete \
                 the broken certificate from the Remote Desktop certificate store and restart \
                 Remote Desktop Services so the listener gets a usable certificate."
            }
            NegSslNotAllowed => {
                "Set \"Require use of specific security layer for remote (RDP) connections\" to \
                 Negotiate (or SSL) so the host accepts TLS instead of forcing the RDP security \
                 layer."
            }
            NegSslRequired => {
                "Align the security layer: set \"Require use of specific security layer for \
                 remote (RDP) connections\" to Negotiate on the host, or make the clients \
                 offer TLS."
            }
            NegHybridRequired => {
                "Align the NLA policy: enable Network Level Authentication (CredSSP) on the \
                 clients, or turn off \"Require user authentication for remote connections by \
                 using Network Level Authentication\" on the host."
            }
            NegSslWithUserAuthRequired => {
                "Remove the client-certificate requirement from the listener by setting \
                 \"Require use of specific security layer for remote (RDP) connections\" to \
                 Negotiate or SSL, then restart Remote Desktop Services."
            }
            NegFailureOther => {
                "Review the listener's security-layer and NLA settings (set \"Require use of \
                 specific security layer for remote (RDP) connections\" to Negotiate) and \
                 restart Remote Desktop Services."
            }
            TlsHandshakeFailed => {
                "Check the listener certificate (delete it from the Remote Desktop certificate \
                 store and restart Remote Desktop Services if it is expired or its private key \
                 is unreadable, repairing MachineKeys permissions), the TLS versions and cipher \
                 suites enabled on the host, and any firewall or IPS inspecting TLS on the path."
            }
            TlsHandshakeTimeout => {
                "Allow the TLS handshake through firewalls, IPS and endpoint protection on the \
                 path and the host, then restart Remote Desktop Services and check its session \
                 limits if the service is stuck."
            }
            TlsLegacyOnly => {
                "Install TLS 1.2 support on the host (KB3080079 on Windows 7 and Server 2008 \
                 R2) and enable TLS 1.2 for Remote Desktop before TLS 1.0 is disabled on \
                 either side."
            }
            X224NoResponse => {
                "Allow the RDP handshake through firewalls and endpoint protection on the path \
                 and the host, and restart Remote Desktop Services (checking session limits) \
                 if the service is overloaded or stuck."
            }
            X224Closed => {
                "Check the firewalls, IPS and endpoint protection that cut the connection after \
                 the Connection Request, then the host's security-layer policy, and restart \
                 Remote Desktop Services if it closes every connection."
            }
            RdpStandardSecurityOnly => {
                "Enable TLS on the host: set \"Require use of specific security layer for \
                 remote (RDP) connections\" to Negotiate or SSL with a usable certificate (on \
                 xrdp, security_layer=negotiate with a certificate), as clients that require \
                 NLA or server authentication refuse standard RDP security."
            }
            SlowHandshake => {
                "Check the host's load, the Remote Desktop service's session limits and the \
                 network path, as a host this slow is close to the clients' timeouts."
            }
            Intermittent => {
                "Check the host's load and session limits and any firewall or endpoint \
                 protection that drops some connections, and restart Remote Desktop Services if \
                 the host keeps failing some handshakes."
            }
            NlaNotRequired => {
                "Turn on \"Require user authentication for remote connections by using Network \
                 Level Authentication\" once every client supports CredSSP, so that no session \
                 is created for a user who has not authenticated."
            }
            RdpEncryptionLow => {
                "Set \"Set client connection encryption level\" to High, or better set \
                 \"Require use of specific security layer for remote (RDP) connections\" to SSL \
                 so that standard RDP security is not used at all."
            }
            RdpFipsOnly => {
                "Use the SSL (TLS) security layer instead of standard RDP security, or set \
                 \"Set client connection encryption level\" to High where FIPS 140 compliance \
                 is not required, as clients without FIPS-compliant encryption cannot connect."
            }
            Tls10Enabled => {
                "Disable TLS 1.0 and 1.1 for the host (SCHANNEL Protocols registry keys) once it \
                 and every client speak TLS 1.2, installing TLS 1.2 support first on older \
                 hosts."
            }
            NotRdp => {
                "Find what listens on the Remote Desktop port (a web server, a proxy, another \
                 service bound to it) and move it, or point the fleet file at the port Remote \
                 Desktop really uses."
            }
            X224Malformed => {
                "Check what answers on the port (a broken Remote Desktop service, a proxy or \
                 IPS rewriting the handshake); restart Remote Desktop Services and remove \
                 whatever mangles the X.224 exchange."
            }
            NegUnexpectedProtocol => {
                "Check the listener's security-layer settings and any gateway in front of it: \
                 it selects a protocol the client did not ask for (RDSTLS or RDSAAD without the \
                 client requesting it); set \"Require use of specific security layer for remote \
                 (RDP) connections\" to Negotiate."
            }
            NoProtocolAccepted => {
                "Set \"Require use of specific security layer for remote (RDP) connections\" to \
                 Negotiate and restart Remote Desktop Services: the listener refuses every \
                 security protocol, standard RDP security included."
            }
            CertUntrusted => {
                "Issue the Remote Desktop certificate from your enterprise CA (a \"Remote Desktop\" \
                 certificate template deployed by Group Policy), so that clients can verify the \
                 server and enforce server authentication."
            }
            CertMalformed => {
                "Replace the certificate: its subject or issuer holds a name that is not valid \
                 text (for example a UTF8String that is not UTF-8), which OpenSSL-based clients \
                 refuse to parse; issue a new one from your CA and restart Remote Desktop \
                 Services."
            }
            CertNameMismatch => {
                "Reissue the certificate for the name clients use to connect (its DNS name as a \
                 subject alternative name), from your CA's Remote Desktop template, and restart \
                 Remote Desktop Services."
            }
            ClockSkew => {
                "Fix the host's time synchronisation (w32time against the domain hierarchy or a \
                 reliable NTP source), as CredSSP logons fail when the clocks differ by more \
                 than five minutes."
            }
        }
    }
}
