//! The TLS stage against servers that answer the ClientHello with what no RDP server should:
//! every alert code, an HTTP answer, bytes sent behind the Confirm, an empty Certificate
//! message.

use super::*;

/// A server that selects SSL, reads the ClientHello and answers it with `answer`; then holds
/// (`close`: closes at once).
fn answers_hello(answer: Vec<u8>, close: bool) -> Answer {
    Answer::serve(move |stream| async move {
        let Some(mut stream) = read_request(stream).await else {
            return;
        };
        let _ = stream.write_all(&confirm(SecurityProtocol::SSL)).await;
        let mut hello = [0u8; 2048];
        if matches!(stream.read(&mut hello).await, Ok(n) if n > 0) {
            let _ = stream.write_all(&answer).await;
        }
        if !close {
            hold(stream).await;
        }
    })
}

#[tokio::test(start_paused = true)]
async fn every_fatal_alert_is_an_alert_named_by_its_code() {
    // One path names them all: rustls' AlertReceived, then the codec's name (or `unknown`).
    for code in 0..=u8::MAX {
        let dial = MemoryDial::new(move |_| answers_hello(legacy::alert(code), true));
        let obs = run(&config(&dial, 0)).await;
        assert_eq!(obs.tls, Some(TlsStatus::Alert), "alert {code}: {obs:?}");
        assert_eq!(
            obs.error,
            Some(format!(
                "server sent tls alert {}",
                legacy::alert_name(code)
            )),
            "alert {code}"
        );
        assert_eq!(
            dial.dials(),
            2,
            "alert {code}: the legacy hello asked again"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn an_answer_that_is_not_tls_is_shown_as_it_starts() {
    let http = b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n".to_vec();
    let dial = MemoryDial::new(move |_| answers_hello(http.clone(), true));
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::ProtocolError), "{obs:?}");
    assert_eq!(
        obs.error.as_deref(),
        Some("not tls: answer starts 48 54 54 50 2f 31 2e 31 (\"HTTP/1.1\")")
    );
}

#[tokio::test(start_paused = true)]
async fn bytes_behind_the_confirm_reach_the_tls_stage() {
    // The Confirm and 4 zero bytes in one write: the X.224 read takes both, and rustls must
    // still read the zeros first (dropped, it would wait for a ServerHello that never comes).
    let dial = MemoryDial::new(|_| {
        Answer::serve(|stream| async move {
            let Some(mut stream) = read_request(stream).await else {
                return;
            };
            let mut answer = confirm(SecurityProtocol::SSL);
            answer.extend_from_slice(&[0, 0, 0, 0]);
            let _ = stream.write_all(&answer).await;
            hold(stream).await;
        })
    });
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.rdp, Some(RdpStatus::Negotiated), "{obs:?}");
    assert_eq!(obs.tls, Some(TlsStatus::ProtocolError), "{obs:?}");
    assert_eq!(
        obs.error.as_deref(),
        Some("not tls: answer starts 00 00 00 00 (\"....\")")
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_certificate_message_is_a_failure_that_says_so() {
    // TLS 1.2 with a suite rustls speaks, and no certificate: rustls fails, and the legacy
    // hello reads the same flight with its empty list.
    let flight = legacy::server_flight(legacy::TLS1_2, 0xc02f, [7; 32], &[]);
    let dial = MemoryDial::new(move |_| answers_hello(flight.clone(), false));
    let obs = run(&config(&dial, 0)).await;
    assert_eq!(obs.tls, Some(TlsStatus::ProtocolError), "{obs:?}");
    let error = obs.error.expect("error");
    assert!(error.starts_with("tls handshake failed: "), "{error}");
    assert!(
        error.ends_with(
            "a second handshake then reached TLSv1.2 with \
             TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (and no certificate), which rustls speaks"
        ),
        "{error}"
    );
    assert_eq!(obs.cert, None);
}
