use super::*;
use crate::findings::tests::{healthy, neg_failure, tls_failed, with_cert};
use crate::vocab::TlsStatus;

const RISK_TOML: &str = include_str!("../../../configs/risk.toml");

fn error(text: &str) -> String {
    RiskPolicy::from_toml(text).expect_err(text)
}

#[test]
fn default_is_what_configs_risk_toml_says() {
    assert_eq!(
        RiskPolicy::from_toml(RISK_TOML).unwrap(),
        RiskPolicy::default()
    );
    let default = RiskPolicy::default();
    assert_eq!(default.expiring_days, 30);
    assert_eq!(default.slow_ms, 1000.0);
    assert_eq!(
        default.severity_weights,
        BTreeMap::from([
            (Severity::High, 60),
            (Severity::Medium, 30),
            (Severity::Low, 10),
            (Severity::Info, 0),
        ])
    );
    assert!(default.code_weights.is_empty());
    assert_eq!(
        (default.high_from, default.medium_from, default.low_from),
        (60, 30, 1)
    );
}

#[test]
fn keys_left_out_keep_their_defaults() {
    assert_eq!(RiskPolicy::from_toml("").unwrap(), RiskPolicy::default());
    let policy = RiskPolicy::from_toml("[severity_weights]\nlow = 5\n").unwrap();
    assert_eq!(policy.severity_weights[&Severity::Low], 5);
    assert_eq!(policy.severity_weights[&Severity::High], 60);
    assert_eq!(policy.high_from, 60);
}

#[test]
fn score_and_level_arithmetic() {
    let policy = RiskPolicy::default();
    let case = |obs: &Observation| {
        let a = assess(obs, &policy);
        (a.score, a.level)
    };
    assert_eq!(case(&healthy()), (0, RiskLevel::None));
    // One low finding (SHA-1 signature).
    let low = with_cert(|c| c.signature = crate::SignatureAlgorithm::Sha1WithRsa);
    assert_eq!(case(&low), (10, RiskLevel::Low));
    // One medium (expiring soon), then medium + low.
    assert_eq!(
        case(&with_cert(|c| c.days_left = 5)),
        (30, RiskLevel::Medium)
    );
    let medium_low = with_cert(|c| {
        c.days_left = 5;
        c.signature = crate::SignatureAlgorithm::Sha1WithRsa;
    });
    assert_eq!(case(&medium_low), (40, RiskLevel::Medium));
    // Two medium findings (not yet valid, expiring soon) add up in the score, not into a
    // higher level: the client still connects after a warning.
    let two_medium = with_cert(|c| {
        c.days_left = 5;
        c.not_before = Some(time::macros::datetime!(2099-12-01 00:00:00 UTC));
    });
    assert_eq!(case(&two_medium), (60, RiskLevel::Medium));
    assert_eq!(case(&neg_failure(3)), (60, RiskLevel::High));
    // 60 + 30 + 10 + 10 = 110, capped at 100.
    let mut many = with_cert(|c| {
        c.days_left = -3;
        c.key = crate::CertKey::Rsa { bits: 1024 };
        c.signature = crate::SignatureAlgorithm::Md5WithRsa;
    });
    many.tls = Some(TlsStatus::Legacy);
    let a = assess(&many, &policy);
    assert_eq!(a.findings.len(), 4);
    assert_eq!((a.score, a.level), (100, RiskLevel::High));
}

#[test]
fn levels_start_at_their_thresholds() {
    let policy = RiskPolicy::default();
    let levels: Vec<RiskLevel> = [0, 1, 29, 30, 59, 60, 100]
        .into_iter()
        .map(|s| policy.level(s))
        .collect();
    use RiskLevel::*;
    assert_eq!(levels, [None, Low, Low, Medium, Medium, High, High]);
}

#[test]
fn a_longer_expiry_window_from_toml() {
    let obs = with_cert(|c| c.days_left = 45);
    assert_eq!(assess(&obs, &RiskPolicy::default()).findings, []);
    let policy = RiskPolicy::from_toml("expiring_days = 60").unwrap();
    let a = assess(&obs, &policy);
    assert_eq!(
        a.findings.iter().map(|f| f.code).collect::<Vec<_>>(),
        [FindingCode::CertExpiringSoon]
    );
    assert!(a.findings[0].evidence.contains("window 60 days"));
    assert_eq!((a.score, a.level), (30, RiskLevel::Medium));
}

#[test]
fn slow_threshold_from_toml_whole_or_not() {
    let mut obs = healthy();
    obs.tls_ms = Some(1500.0);
    assert_eq!(assess(&obs, &RiskPolicy::default()).score, 10);
    for text in ["slow_ms = 2000", "slow_ms = 1500.0"] {
        let policy = RiskPolicy::from_toml(text).unwrap();
        assert_eq!(assess(&obs, &policy).findings, [], "{text}");
    }
}

#[test]
fn code_weights_replace_the_severity_weight() {
    let sha1 = with_cert(|c| c.signature = crate::SignatureAlgorithm::Sha1WithRsa);
    let silent = RiskPolicy::from_toml("[code_weights]\nCERT_WEAK_SIGNATURE = 0\n").unwrap();
    let a = assess(&sha1, &silent);
    assert_eq!(a.findings.len(), 1, "still listed");
    assert_eq!((a.score, a.level), (0, RiskLevel::None));

    let loud = RiskPolicy::from_toml("[code_weights]\nCERT_WEAK_SIGNATURE = 45\n").unwrap();
    assert_eq!(
        (assess(&sha1, &loud).score, assess(&sha1, &loud).level),
        (45, RiskLevel::Medium)
    );
    // Other codes keep their severity's weight.
    let closed = tls_failed(TlsStatus::Closed, 0.2, "closed during the tls handshake");
    assert_eq!(assess(&closed, &loud).score, 60);
}

#[test]
fn custom_severity_weights_and_levels() {
    let policy = RiskPolicy::from_toml(
        "[severity_weights]\nhigh = 100\nlow = 0\n[levels]\nhigh = 90\nmedium = 20\nlow = 5\n",
    )
    .unwrap();
    assert_eq!(
        (policy.high_from, policy.medium_from, policy.low_from),
        (90, 20, 5)
    );
    let sha1 = with_cert(|c| c.signature = crate::SignatureAlgorithm::Sha1WithRsa);
    assert_eq!(assess(&sha1, &policy).level, RiskLevel::None);
    assert_eq!(assess(&neg_failure(3), &policy).score, 100);
    assert_eq!(
        assess(&with_cert(|c| c.days_left = 1), &policy).level,
        RiskLevel::Medium
    );
}

#[test]
fn errors_name_the_key() {
    let cases = [
        ("colour = 3", "`colour`"),
        (
            "[severity_weights]\ncritical = 90",
            "`severity_weights.critical`",
        ),
        (
            "[code_weights]\nCERT_BOGUS = 1",
            "`code_weights.CERT_BOGUS`",
        ),
        ("[levels]\nextreme = 95", "`levels.extreme`"),
        ("[levels]\nhigh = -5", "`levels.high`"),
        (
            "[severity_weights]\nhigh = \"lots\"",
            "`severity_weights.high`",
        ),
        (
            "[code_weights]\nX224_CLOSED = -1",
            "`code_weights.X224_CLOSED`",
        ),
        ("expiring_days = -1", "`expiring_days`"),
        ("expiring_days = 1.5", "`expiring_days`"),
        ("slow_ms = \"fast\"", "`slow_ms`"),
        ("slow_ms = -1", "`slow_ms`"),
        ("slow_ms = nan", "`slow_ms`"),
        ("severity_weights = 3", "`severity_weights`"),
        (
            "[severity_weights]\nhigh = 5000000000",
            "`severity_weights.high`",
        ),
    ];
    for (text, key) in cases {
        let e = error(text);
        assert!(e.contains(key), "{text:?} gave {e:?}");
    }
    assert!(error("[code_weights]\nCERT_BOGUS = 1").contains("not a finding code"));
    assert!(error("[levels]\nhigh = -5").contains("negative"));
}

#[test]
fn thresholds_must_be_ordered_and_in_range() {
    let e = error("[levels]\nlow = 40");
    assert!(e.contains("low <= medium <= high"), "{e}");
    assert!(e.contains("low = 40"), "{e}");
    let e = error("[levels]\nmedium = 70");
    assert!(e.contains("low <= medium <= high"), "{e}");
    assert!(error("[levels]\nlow = 0").contains("`levels.low`"));
    assert!(error("[levels]\nhigh = 150").contains("`levels.high`"));
    // Equal thresholds are allowed.
    let p = RiskPolicy::from_toml("[levels]\nhigh = 30\nmedium = 30\nlow = 30").unwrap();
    assert_eq!(p.level(30), RiskLevel::High);
    assert_eq!(p.level(29), RiskLevel::None);
}

#[test]
fn syntax_errors_say_where() {
    let e = error("expiring_days = 30\nslow_ms = = 4\n");
    assert!(e.contains("not valid TOML"), "{e}");
    assert!(e.contains("line 2"), "{e}");
    assert!(!e.contains('\n'), "{e:?}");
}
