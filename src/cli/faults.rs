//! Network faults on demand, for `gallery serve`: a request for
//! `/__faults/<spec>/<path>` is answered like one for `/<path>`, with the faults of
//! `<spec>` injected. The tests of the range engine and of the app use it to meet the
//! networks real users have: failing CDNs, resets, stalls, truncated bodies, servers that
//! ignore `Range` or answer with the wrong `Content-Range`, files replaced mid-session.
//!
//! `<spec>` is a `,`-separated list of faults; each may end in `xN` to strike only the
//! first `N` requests for that spec and path (counted by the server; a retry is a new
//! request), e.g. `/__faults/status=503x2/a.parquet` fails twice, then serves; and
//! `@K` before that lets the first `K` requests pass untouched:
//! `/__faults/status=503@2x4/a.parquet` serves two, fails the next four, then serves.
//!
//! | fault           | effect                                                        |
//! |-----------------|---------------------------------------------------------------|
//! | `latency=MS`    | wait `MS` ms before answering                                 |
//! | `status=CODE`   | answer `CODE` (e.g. 500, 503, 429) with a short text body     |
//! | `pause=B:MS`    | send `B` bytes of the body, wait `MS` ms, send the rest       |
//! | `stall=B`       | send `B` bytes of the body, then nothing, ever                |
//! | `reset=B`       | send `B` bytes of the body, then break the connection         |
//! | `full`          | ignore `Range`: `200` with the whole file                     |
//! | `shift=N`       | claim a `Content-Range` `N` bytes later than the bytes sent   |
//! | `etag`          | a new `ETag` on every answer, as if the file were replaced    |
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// Path prefix of fault-injected requests.
pub const PREFIX: &str = "/__faults/";
/// Most (spec, path) counters kept; past it they all start again from zero.
const MAX_COUNTERS: usize = 10_000;

/// One fault of a spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Latency(Duration),
    Status(u16),
    Body(BodyFault),
    Full,
    Shift(u64),
    Etag,
}

/// What happens to a body once `at` bytes of it are sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyFault {
    pub at: u64,
    pub action: BodyAction,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyAction {
    Pause(Duration),
    Stall,
    Reset,
}

/// A fault, how many requests it spares first and how many it strikes (`None`: all).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    pub fault: Fault,
    pub spare: u64,
    pub times: Option<u64>,
}

/// The faults of one request: its spec and the path left after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    pub spec: String,
    pub rules: Vec<Rule>,
    pub path: String,
}

impl Spec {
    /// `Some(Ok)` for a `/__faults/…` path, `Some(Err(message))` for a malformed spec,
    /// `None` for any other path.
    pub fn parse(path: &str) -> Option<Result<Spec, String>> {
        let rest = path.strip_prefix(PREFIX)?;
        let (spec, file) = match rest.split_once('/') {
            Some((s, f)) => (s, format!("/{f}")),
            None => return Some(Err(format!("{path}: no file after the fault spec"))),
        };
        let rules = spec.split(',').filter(|s| !s.is_empty()).map(parse_rule).collect::<Result<Vec<_>, _>>();
        Some(rules.map(|rules| Spec { spec: spec.to_string(), rules, path: file }))
    }

    /// The faults that strike request number `n` (1-based) for this spec and path.
    pub fn active(&self, n: u64) -> impl Iterator<Item = Fault> + '_ {
        self.rules.iter().filter(move |r| n > r.spare && r.times.is_none_or(|t| n <= r.spare + t)).map(|r| r.fault)
    }
}

fn parse_rule(item: &str) -> Result<Rule, String> {
    let (body, times) = match item.rsplit_once('x') {
        Some((b, t)) if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) && !b.is_empty() => {
            (b, Some(number(t, item)?))
        }
        _ => (item, None),
    };
    let (body, spare) = match body.rsplit_once('@') {
        Some((b, k)) => (b, number(k, item)?),
        None => (body, 0),
    };
    let (name, arg) = body.split_once('=').unwrap_or((body, ""));
    let ms = |s: &str| number(s, item).map(Duration::from_millis);
    let fault = match name {
        "latency" => Fault::Latency(ms(arg)?),
        "status" => match number(arg, item)? {
            code @ 100..=599 => Fault::Status(code as u16),
            _ => return Err(format!("{item}: not an HTTP status")),
        },
        "pause" => {
            let (at, wait) = arg.split_once(':').ok_or_else(|| format!("{item}: expected pause=BYTES:MS"))?;
            Fault::Body(BodyFault { at: number(at, item)?, action: BodyAction::Pause(ms(wait)?) })
        }
        "stall" => Fault::Body(BodyFault { at: number(arg, item)?, action: BodyAction::Stall }),
        "reset" => Fault::Body(BodyFault { at: number(arg, item)?, action: BodyAction::Reset }),
        "full" if arg.is_empty() => Fault::Full,
        "shift" => Fault::Shift(number(arg, item)?),
        "etag" if arg.is_empty() => Fault::Etag,
        _ => return Err(format!("{item}: unknown fault")),
    };
    Ok(Rule { fault, spare, times })
}

fn number(s: &str, item: &str) -> Result<u64, String> {
    s.parse().map_err(|_| format!("{item}: {s:?} is not a number"))
}

/// Requests seen per (spec, path), so `xN` faults strike only the first `N`.
#[derive(Debug, Default)]
pub struct Counters(Mutex<HashMap<String, u64>>);

impl Counters {
    /// Count one more request for `spec` and return its number (1-based).
    pub fn next(&self, spec: &Spec) -> u64 {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_COUNTERS {
            map.clear();
        }
        let n = map.entry(format!("{}\0{}", spec.spec, spec.path)).or_insert(0);
        *n += 1;
        *n
    }

    /// Start every count again from zero.
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }
}

/// `bytes a-b/size` moved `by` bytes later; `None` when it is not of that form.
pub fn shifted_content_range(value: &str, by: u64) -> Option<String> {
    let rest = value.strip_prefix("bytes ")?;
    let (span, size) = rest.split_once('/')?;
    let (a, b) = span.split_once('-')?;
    let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
    Some(format!("bytes {}-{}/{size}", a + by, b + by))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_parse_with_their_limits() {
        let s = Spec::parse("/__faults/status=503x2,pause=100:50/a/b.parquet").unwrap().unwrap();
        assert_eq!(s.path, "/a/b.parquet");
        assert_eq!(s.rules, vec![
            Rule { fault: Fault::Status(503), spare: 0, times: Some(2) },
            Rule { fault: Fault::Body(BodyFault { at: 100, action: BodyAction::Pause(Duration::from_millis(50)) }), spare: 0, times: None },
        ]);
        assert_eq!(s.active(2).count(), 2);
        assert_eq!(s.active(3).collect::<Vec<_>>(), vec![s.rules[1].fault]);
        assert_eq!(Spec::parse("/__faults/fullx1/x").unwrap().unwrap().rules[0], Rule { fault: Fault::Full, spare: 0, times: Some(1) });
        let later = Spec::parse("/__faults/status=500@2x3/x").unwrap().unwrap();
        assert_eq!((1..=7).map(|n| later.active(n).count()).collect::<Vec<_>>(), vec![0, 0, 1, 1, 1, 0, 0]);
        assert_eq!(Spec::parse("/__faults/etag@1/x").unwrap().unwrap().active(9).count(), 1);
        assert_eq!(Spec::parse("/__faults/etag,shift=7/x").unwrap().unwrap().rules.len(), 2);
        assert!(Spec::parse("/a.parquet").is_none());
        assert!(Spec::parse("/__faults/bogus/x").unwrap().is_err());
        assert!(Spec::parse("/__faults/status=99/x").unwrap().is_err());
        assert!(Spec::parse("/__faults/pause=10/x").unwrap().is_err());
        assert!(Spec::parse("/__faults/reset=1").unwrap().is_err());
    }

    #[test]
    fn counters_number_requests_per_spec_and_path() {
        let c = Counters::default();
        let a = Spec::parse("/__faults/etag/a").unwrap().unwrap();
        let b = Spec::parse("/__faults/etag/b").unwrap().unwrap();
        assert_eq!((c.next(&a), c.next(&a), c.next(&b)), (1, 2, 1));
        c.clear();
        assert_eq!(c.next(&a), 1);
    }

    #[test]
    fn content_range_shifts() {
        assert_eq!(shifted_content_range("bytes 10-19/100", 5).as_deref(), Some("bytes 15-24/100"));
        assert_eq!(shifted_content_range("bytes */100", 5), None);
    }
}
