//! The ranking: most at risk first, ties broken by fewest days left on the certificate, then
//! by address and port. A plain function of the observations and the policy, so saved
//! `results.jsonl` files can be re-ranked without rescanning.

use std::cmp::Ordering;

use crate::observation::Observation;
use crate::risk::{assess, Assessment, RiskPolicy};

/// One host in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct RankedHost {
    /// 1 for the riskiest host.
    pub rank: usize,
    pub observation: Observation,
    pub assessment: Assessment,
}

/// Assesses and sorts every observation.
pub fn rank(observations: Vec<Observation>, policy: &RiskPolicy) -> Vec<RankedHost> {
    let mut hosts: Vec<RankedHost> = observations
        .into_iter()
        .map(|observation| {
            let assessment = assess(&observation, policy);
            RankedHost {
                rank: 0,
                observation,
                assessment,
            }
        })
        .collect();
    hosts.sort_by(ranking_order);
    for (i, host) in hosts.iter_mut().enumerate() {
        host.rank = i + 1;
    }
    hosts
}

/// Score descending; then days left ascending (hosts without a certificate after those with
/// one); then address (unresolved names last) and port ascending.
fn ranking_order(a: &RankedHost, b: &RankedHost) -> Ordering {
    let days = |h: &RankedHost| h.observation.cert.as_ref().map(|c| c.days_left);
    b.assessment
        .score
        .cmp(&a.assessment.score)
        .then_with(|| match (days(a), days(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        })
        .then_with(|| match (a.observation.ip, b.observation.ip) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => a.observation.hostname.cmp(&b.observation.hostname),
        })
        .then_with(|| a.observation.port.cmp(&b.observation.port))
}
