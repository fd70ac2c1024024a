//! Fleet-wide patterns, counted while the ranked hosts stream by: one certificate on several
//! hosts (cloned images never generalised, or one certificate deployed on purpose), hosts whose
//! certificate is for another name (and which scanned host has that name), and roll-ups by
//! subnet (/24 and /64 by default) with the targets that had no listener.
//!
//! Memory is bounded: at most [`FINGERPRINTS_KEPT`] distinct certificates are compared, at
//! most [`NAMES_KEPT`] host names remembered, [`MISMATCHES_KEPT`] mismatched hosts listed and
//! [`SUBNETS_KEPT`] subnets with a listener rolled up; what goes beyond is counted and the page
//! says so. Subnets where nothing listened are counted as their targets stream by (after the
//! listeners, in address order, as the ranking hands them), and only the [`SUBNETS_SHOWN`] with
//! the most targets are kept: a /8 of dead addresses holds 50 subnets, not 65,536.

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

use crate::outcome::ClientOutcome;
use crate::ranking::RankedHost;

/// Distinct certificates compared (a fleet of self-signed hosts has one per host).
pub const FINGERPRINTS_KEPT: usize = 50_000;
/// Hosts kept per shared certificate, to name them (the count covers all).
pub const SHARED_HOSTS_KEPT: usize = 20;
/// Host names remembered, to tell which scanned host a certificate names.
pub const NAMES_KEPT: usize = 50_000;
/// Hosts listed whose certificate is for another name (the count covers all).
pub const MISMATCHES_KEPT: usize = 200;
/// Subnets with a listener rolled up; hosts in further subnets are counted under "other".
pub const SUBNETS_KEPT: usize = 65_536;
/// Subnets the page's roll-up shows (those with the most failing, then warning, hosts, then
/// the most targets); of the subnets where nothing listened, only this many are kept.
pub const SUBNETS_SHOWN: usize = 50;

/// The prefix lengths of the subnet roll-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetPrefix {
    pub v4: u8,
    pub v6: u8,
}

impl Default for SubnetPrefix {
    fn default() -> Self {
        SubnetPrefix { v4: 24, v6: 64 }
    }
}

impl SubnetPrefix {
    /// The subnet of `ip`, as `10.1.2.0/24` or `2001:db8::/64`.
    pub fn subnet(&self, ip: IpAddr) -> String {
        self.subnet_of(ip).to_string()
    }

    /// The subnet of `ip`: its network address and prefix length.
    pub fn subnet_of(&self, ip: IpAddr) -> Subnet {
        match ip {
            IpAddr::V4(v4) => {
                let bits = self.v4.min(32);
                let mask = u32::MAX.checked_shl(32 - u32::from(bits)).unwrap_or(0);
                let net = std::net::Ipv4Addr::from(u32::from(v4) & mask);
                Subnet {
                    net: net.into(),
                    bits,
                }
            }
            IpAddr::V6(v6) => {
                let bits = self.v6.min(128);
                let mask = u128::MAX.checked_shl(128 - u32::from(bits)).unwrap_or(0);
                let net = std::net::Ipv6Addr::from(u128::from(v6) & mask);
                Subnet {
                    net: net.into(),
                    bits,
                }
            }
        }
    }
}

/// A subnet of the roll-up, ordered by address (IPv4 first). 20 bytes, no allocation: a /8 of
/// listeners rolled up by /24 holds 65,536 of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Subnet {
    pub net: IpAddr,
    pub bits: u8,
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", crate::ip_text::IpText(self.net), self.bits)
    }
}

/// True for a target nothing listened on: TCP refused, timed out or unreachable.
pub fn no_listener(host: &RankedHost) -> bool {
    host.observation.no_listener()
}

/// A host as a pattern names it.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternHost {
    pub rank: usize,
    pub ip: Option<IpAddr>,
    pub port: u16,
    /// The name clients connect to, when known (the target's, or the NTLM DNS name).
    pub name: Option<String>,
}

impl PatternHost {
    fn of(host: &RankedHost) -> PatternHost {
        let o = &host.observation;
        let ntlm = o.deep.as_ref().and_then(|d| d.ntlm.as_ref());
        let name = o
            .hostname
            .clone()
            .or_else(|| ntlm.and_then(|n| n.dns_computer.clone()));
        PatternHost {
            rank: host.rank,
            ip: o.ip,
            port: o.port,
            name,
        }
    }
}

/// One certificate served by several hosts.
#[derive(Debug, Clone, PartialEq)]
pub struct SharedCert {
    pub sha256: String,
    pub subject: String,
    pub hosts: usize,
    /// The first [`SHARED_HOSTS_KEPT`], in rank order.
    pub sample: Vec<PatternHost>,
}

/// A host whose certificate is not for the name clients use.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub host: PatternHost,
    /// The certificate's subject (its CN).
    pub subject: String,
    /// The scanned host that has the certificate's name, if one does.
    pub named: Option<PatternHost>,
}

/// The targets of one subnet, by what they gave.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubnetCounts {
    pub targets: usize,
    pub fails: usize,
    pub warns: usize,
    pub connects: usize,
    /// Nothing listened (refused, timed out, unreachable).
    pub no_listener: usize,
}

/// What the fleet shows across hosts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patterns {
    /// Certificates on two hosts or more, the most hosts first.
    pub shared_certs: Vec<SharedCert>,
    /// Certificates left uncompared beyond [`FINGERPRINTS_KEPT`].
    pub certs_uncompared: usize,
    /// Hosts whose certificate is for another name: how many, and the first ones.
    pub mismatches: usize,
    pub mismatch_sample: Vec<Mismatch>,
    /// The roll-up prefix and counts per subnet (addresses only), subnets in address order:
    /// every subnet with a listener (up to [`SUBNETS_KEPT`]) and the [`SUBNETS_SHOWN`] subnets
    /// with the most targets of those where nothing listened.
    pub prefix: SubnetPrefix,
    pub subnets: BTreeMap<Subnet, SubnetCounts>,
    /// Subnets with a target, kept in `subnets` or not (`other_subnets` aside).
    pub subnets_total: usize,
    /// Targets in subnets beyond [`SUBNETS_KEPT`], and targets without an address.
    pub other_subnets: SubnetCounts,
    /// Targets nothing listened on, by TCP outcome (`refused`, `timeout`, `unreachable`).
    pub no_listener: BTreeMap<String, usize>,
}

/// One certificate while the hosts stream by.
#[derive(Debug)]
struct CertTally {
    subject: String,
    hosts: usize,
    sample: Vec<PatternHost>,
}

/// Counts [`Patterns`] one ranked host at a time, in the order [`crate::Ranker`] hands them
/// over: every host with a listener first, then the targets nothing listened on in address
/// order (the subnets where nothing listened are counted as they stream by). Out of that
/// order, a dead target is counted in its subnet's own entry while there is room, and in
/// "other" beyond; a subnet whose listeners went to "other" (beyond [`SUBNETS_KEPT`]) has its
/// dead targets counted apart.
#[derive(Debug, Default)]
pub struct PatternCounter {
    prefix: SubnetPrefix,
    certs: HashMap<String, CertTally>,
    certs_uncompared: usize,
    names: HashMap<String, PatternHost>,
    mismatches: usize,
    mismatch_sample: Vec<(PatternHost, String)>,
    subnets: BTreeMap<Subnet, SubnetCounts>,
    dead_subnets: DeadSubnets,
    other_subnets: SubnetCounts,
    no_listener: BTreeMap<String, usize>,
}

/// The subnets where nothing listened, counted as their targets stream by in address order: the
/// subnet being counted, and the [`SUBNETS_SHOWN`] with the most targets of those finished.
#[derive(Debug, Default)]
struct DeadSubnets {
    current: Option<(Subnet, usize)>,
    /// Most targets first, then lowest address (the page's order among them).
    top: Vec<(Subnet, usize)>,
    /// Subnets finished, kept in `top` or not.
    finished: usize,
}

impl DeadSubnets {
    /// Counts one target of `net`; false (and nothing counted) when `net` comes before the
    /// subnet being counted, out of address order.
    fn add(&mut self, net: Subnet) -> bool {
        match &mut self.current {
            Some((now, targets)) if *now == net => *targets += 1,
            Some((now, _)) if net < *now => {
                debug_assert!(
                    false,
                    "dead targets out of address order: {net} after {now}"
                );
                return false;
            }
            _ => {
                self.end_current();
                self.current = Some((net, 1));
            }
        }
        true
    }

    fn end_current(&mut self) {
        let Some(done) = self.current.take() else {
            return;
        };
        self.finished += 1;
        let at = self.top.partition_point(|kept| {
            (std::cmp::Reverse(kept.1), kept.0) < (std::cmp::Reverse(done.1), done.0)
        });
        if at < SUBNETS_SHOWN {
            self.top.insert(at, done);
            self.top.truncate(SUBNETS_SHOWN);
        }
    }
}

impl PatternCounter {
    pub fn new(prefix: SubnetPrefix) -> PatternCounter {
        PatternCounter {
            prefix,
            ..PatternCounter::default()
        }
    }

    /// Counts one host.
    pub fn add(&mut self, host: &RankedHost) {
        let o = &host.observation;
        let seen = PatternHost::of(host);
        if let Some(cert) = &o.cert {
            if let Some(tally) = self.certs.get_mut(&cert.sha256) {
                tally.hosts += 1;
                if tally.sample.len() < SHARED_HOSTS_KEPT {
                    tally.sample.push(seen.clone());
                }
            } else if self.certs.len() < FINGERPRINTS_KEPT {
                let tally = CertTally {
                    subject: cert.subject.clone(),
                    hosts: 1,
                    sample: vec![seen.clone()],
                };
                self.certs.insert(cert.sha256.clone(), tally);
            } else {
                self.certs_uncompared += 1;
            }
            let trust = o.cert_trust.as_ref();
            if trust.and_then(|t| t.name_match) == Some(false) {
                self.mismatches += 1;
                if self.mismatch_sample.len() < MISMATCHES_KEPT {
                    self.mismatch_sample
                        .push((seen.clone(), cert.subject.clone()));
                }
            }
        }
        if let Some(name) = &seen.name {
            let key = name.to_ascii_lowercase();
            if self.names.len() < NAMES_KEPT || self.names.contains_key(&key) {
                self.names.entry(key).or_insert_with(|| seen.clone());
            }
        }

        let dead = no_listener(host);
        if dead {
            crate::summary::count(&mut self.no_listener, o.tcp.as_str());
        }
        let net = o.ip.map(|ip| self.prefix.subnet_of(ip));
        if let Some(net) = net {
            if dead && !self.subnets.contains_key(&net) && self.dead_subnets.add(net) {
                return;
            }
        }
        let counts = match net {
            Some(net) if self.subnets.contains_key(&net) || self.subnets.len() < SUBNETS_KEPT => {
                self.subnets.entry(net).or_default()
            }
            _ => &mut self.other_subnets,
        };
        counts.targets += 1;
        match host.assessment.outcome.as_ref().map(|p| p.outcome) {
            Some(ClientOutcome::Fails) => counts.fails += 1,
            Some(ClientOutcome::Warns) => counts.warns += 1,
            Some(ClientOutcome::Connects) => counts.connects += 1,
            None => {}
        }
        if dead {
            counts.no_listener += 1;
        }
    }

    /// The patterns of every host counted.
    pub fn finish(mut self) -> Patterns {
        self.dead_subnets.end_current();
        let subnets_total = self.subnets.len() + self.dead_subnets.finished;
        for (net, targets) in self.dead_subnets.top {
            // The entry exists already only when a listener of the subnet came after its dead
            // targets (out of order): they are added to it.
            let counts = self.subnets.entry(net).or_default();
            counts.targets += targets;
            counts.no_listener += targets;
        }
        let mut shared_certs: Vec<SharedCert> = self
            .certs
            .into_iter()
            .filter(|(_, t)| t.hosts > 1)
            .map(|(sha256, t)| SharedCert {
                sha256,
                subject: t.subject,
                hosts: t.hosts,
                sample: t.sample,
            })
            .collect();
        shared_certs.sort_by(|a, b| {
            b.hosts
                .cmp(&a.hosts)
                .then_with(|| a.sample[0].rank.cmp(&b.sample[0].rank))
        });
        let names = self.names;
        let mismatch_sample = self
            .mismatch_sample
            .into_iter()
            .map(|(host, subject)| {
                // The scanned host the certificate names: its subject is that host's name.
                let named = names
                    .get(&subject.to_ascii_lowercase())
                    .filter(|other| other.rank != host.rank)
                    .cloned();
                Mismatch {
                    host,
                    subject,
                    named,
                }
            })
            .collect();
        Patterns {
            shared_certs,
            certs_uncompared: self.certs_uncompared,
            mismatches: self.mismatches,
            mismatch_sample,
            prefix: self.prefix,
            subnets: self.subnets,
            subnets_total,
            other_subnets: self.other_subnets,
            no_listener: self.no_listener,
        }
    }
}

impl Patterns {
    /// The patterns of hosts held in memory (tests, small runs): counted as the ranking hands
    /// them over, the hosts with a listener first, then the others in address order.
    pub fn of(hosts: &[RankedHost], prefix: SubnetPrefix) -> Patterns {
        let mut counter = PatternCounter::new(prefix);
        let (mut dead, live): (Vec<&RankedHost>, Vec<&RankedHost>) =
            hosts.iter().partition(|h| no_listener(h));
        dead.sort_by_key(|h| (h.observation.ip.is_none(), h.observation.ip));
        live.into_iter().chain(dead).for_each(|h| counter.add(h));
        counter.finish()
    }

    /// Targets nothing listened on.
    pub fn no_listener_total(&self) -> usize {
        self.no_listener.values().sum()
    }
}
