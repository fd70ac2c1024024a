//! One classification of socket errors: every stage sorts an `io::Error` through [`IoKind`],
//! so a reset is a reset whether it came during the connect, the X.224 exchange or TLS.

use std::io;

/// What a socket error means for the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IoKind {
    /// The peer reset (RST) or aborted the connection, or it broke under a write.
    Reset,
    /// The peer closed its side (FIN) while we still waited for bytes.
    Closed,
    /// The kernel gave up waiting (ETIMEDOUT).
    TimedOut,
    /// The connect was refused: nothing listens.
    Refused,
    /// No route to the host or network.
    Unreachable,
    /// Anything else; the error's own words say what.
    Other,
}

impl IoKind {
    /// The kind of `e`.
    pub fn of(e: &io::Error) -> IoKind {
        match e.kind() {
            io::ErrorKind::ConnectionReset
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::BrokenPipe => IoKind::Reset,
            io::ErrorKind::UnexpectedEof => IoKind::Closed,
            io::ErrorKind::TimedOut => IoKind::TimedOut,
            io::ErrorKind::ConnectionRefused => IoKind::Refused,
            io::ErrorKind::HostUnreachable | io::ErrorKind::NetworkUnreachable => {
                IoKind::Unreachable
            }
            _ => IoKind::Other,
        }
    }
}

/// `reset`, or the error in lowercase words, as the `error` column says it.
pub fn io_words(e: &io::Error) -> String {
    match IoKind::of(e) {
        IoKind::Reset => "reset".to_string(),
        _ => lowercase(e),
    }
}

/// Error text for the `error` column: lowercase first letter, as the rest of the vocabulary.
pub fn lowercase(e: &dyn std::fmt::Display) -> String {
    let text = e.to_string();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_errors_sort_into_kinds() {
        let kind = |k: io::ErrorKind| IoKind::of(&io::Error::from(k));
        assert_eq!(kind(io::ErrorKind::ConnectionReset), IoKind::Reset);
        assert_eq!(kind(io::ErrorKind::ConnectionAborted), IoKind::Reset);
        assert_eq!(kind(io::ErrorKind::BrokenPipe), IoKind::Reset);
        assert_eq!(kind(io::ErrorKind::UnexpectedEof), IoKind::Closed);
        assert_eq!(kind(io::ErrorKind::TimedOut), IoKind::TimedOut);
        assert_eq!(kind(io::ErrorKind::ConnectionRefused), IoKind::Refused);
        assert_eq!(kind(io::ErrorKind::NetworkUnreachable), IoKind::Unreachable);
        assert_eq!(kind(io::ErrorKind::PermissionDenied), IoKind::Other);
        assert_eq!(
            io_words(&io::Error::from(io::ErrorKind::ConnectionReset)),
            "reset"
        );
        assert_eq!(lowercase(&"No route to host"), "no route to host");
    }
}
