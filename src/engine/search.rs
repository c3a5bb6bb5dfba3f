//! Search of instructions within the open files: an in-memory inverted index of the
//! `edit_instruction` texts (read alone, never the images), queried as people type.
//!
//! Query language: words must all match, in any order, case-insensitively, with a light
//! stemming (`adds`, `added`, `adding` find `add`); `"quoted phrases"` match consecutive
//! words; `-word` excludes; the last word, while it is being typed (no space after it),
//! also matches as a prefix. Results are ranked by BM25.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// BM25 parameters (the usual ones).
const K1: f64 = 1.2;
const B: f64 = 0.75;
/// Instructions a session indexes at most (about 100 bytes each in memory, plus their
/// postings): past it, further files are not searched, and the answer says how far it got.
pub const MAX_INDEXED_DOCS: usize = 2_000_000;
/// A prefix expands to at most this many index terms (the most frequent kept).
const MAX_PREFIX_TERMS: usize = 64;

/// The words of `text`, lower-cased and stemmed, in order.
pub fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(|w| stem(&w.to_lowercase())).collect()
}

/// A light English stemmer: plural and verb endings off (`boxes`→`box`, `adds`→`add`,
/// `added`→`add`, `adding`→`add`, `changed`→`chang`, `changes`→`chang`), short words kept.
pub fn stem(word: &str) -> String {
    let w = word;
    let n = w.chars().count();
    let cut = |suffix: &str, min: usize| w.strip_suffix(suffix).filter(|s| s.chars().count() >= min);
    let out = if n <= 3 {
        None
    } else if let Some(s) = cut("ies", 2) {
        return format!("{s}y");
    } else if let Some(s) = cut("sses", 2) {
        return format!("{s}ss");
    } else if let Some(s) = cut("ing", 3).or_else(|| cut("ed", 3)) {
        Some(undouble(s))
    } else if let Some(s) = cut("es", 3) {
        // "boxes" → "box"; "changes" → "chang", as "changed" and "changing" go.
        Some(s.to_string())
    } else if w.ends_with("ss") || w.ends_with("us") || w.ends_with("is") {
        None
    } else {
        cut("s", 3).map(str::to_string)
    };
    let out = out.unwrap_or_else(|| w.to_string());
    // "change" and "chang…" meet: a final silent e goes.
    match out.strip_suffix('e') {
        Some(s) if s.chars().count() >= 3 => s.to_string(),
        _ => out,
    }
}

/// `stopp` → `stop` (a doubled final consonant left by `-ed`/`-ing`); `add` stays.
fn undouble(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() >= 4 && b[b.len() - 1] == b[b.len() - 2] && !b"aeioulsz".contains(&b[b.len() - 1]) {
        s[..s.len() - 1].to_string()
    } else {
        s.to_string()
    }
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Words every hit has (stems).
    pub words: Vec<String>,
    /// Phrases every hit has, each a run of stems.
    pub phrases: Vec<Vec<String>>,
    /// Words no hit has.
    pub excluded: Vec<String>,
    /// The word being typed: it also matches as a prefix.
    pub prefix: Option<String>,
}

impl Query {
    pub fn parse(text: &str) -> Self {
        let mut q = Query::default();
        let mut rest = text;
        let typing = !text.ends_with(char::is_whitespace) && !text.ends_with('"');
        let mut plain: Vec<String> = Vec::new();
        while let Some(c) = rest.chars().next() {
            if c.is_whitespace() {
                rest = &rest[c.len_utf8()..];
                continue;
            }
            if c == '"' {
                let body = &rest[1..];
                let (phrase, after) = body.split_once('"').unwrap_or((body, ""));
                let stems = terms(phrase);
                match stems.len() {
                    0 => {}
                    1 => q.words.extend(stems),
                    _ => q.phrases.push(stems),
                }
                rest = after;
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let token = &rest[..end];
            rest = &rest[end..];
            if let Some(word) = token.strip_prefix('-').filter(|w| !w.is_empty()) {
                q.excluded.extend(terms(word));
            } else {
                plain.push(token.to_string());
            }
        }
        if typing {
            if let Some(last) = plain.pop() {
                let raw: Vec<String> = last.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
                if let Some((tail, head)) = raw.split_last() {
                    q.words.extend(head.iter().map(|w| stem(w)));
                    q.prefix = Some(tail.clone());
                }
            }
        }
        for p in plain {
            q.words.extend(terms(&p));
        }
        q
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty() && self.prefix.is_none()
    }
}

/// One result: a document (file, row) and its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hit {
    pub file: String,
    pub row: u64,
    pub score: f64,
}

/// The answer to a query: hits best first (at most the limit asked), how many matched,
/// and the stems that matched (for highlighting).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Found {
    pub hits: Vec<Hit>,
    pub total: usize,
    pub stems: Vec<String>,
}

/// The index of the instructions of some files.
#[derive(Debug, Default)]
pub struct Index {
    files: Vec<String>,
    /// (file index, row) of each document.
    docs: Vec<(u32, u64)>,
    /// Stems of each document, in order (for phrases).
    doc_terms: Vec<Vec<u32>>,
    /// Term → id.
    ids: HashMap<String, u32>,
    /// Terms by text, for prefixes.
    sorted: BTreeMap<String, u32>,
    /// Term id → (document, count), by document.
    postings: Vec<Vec<(u32, u32)>>,
    total_len: u64,
}

impl Index {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `file`'s instructions are in the index.
    pub fn has(&self, file: &str) -> bool {
        self.files.iter().any(|f| f == file)
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Add the instructions of `file`, one per row in order.
    pub fn add_file(&mut self, file: &str, instructions: &[String]) {
        let f = self.files.len() as u32;
        self.files.push(file.to_string());
        for (row, text) in instructions.iter().enumerate() {
            let doc = self.docs.len() as u32;
            self.docs.push((f, row as u64));
            let mut ids = Vec::new();
            let mut counts: HashMap<u32, u32> = HashMap::new();
            for t in terms(text) {
                let next = self.ids.len() as u32;
                let id = *self.ids.entry(t.clone()).or_insert_with(|| {
                    self.sorted.insert(t, next);
                    self.postings.push(Vec::new());
                    next
                });
                ids.push(id);
                *counts.entry(id).or_insert(0) += 1;
            }
            self.total_len += ids.len() as u64;
            let mut counts: Vec<(u32, u32)> = counts.into_iter().collect();
            counts.sort_unstable();
            for (id, n) in counts {
                self.postings[id as usize].push((doc, n));
            }
            self.doc_terms.push(ids);
        }
    }

    fn id(&self, stem: &str) -> Option<u32> {
        self.ids.get(stem).copied()
    }

    /// Documents (with term counts) of a term id.
    fn docs_of(&self, id: u32) -> &[(u32, u32)] {
        &self.postings[id as usize]
    }

    fn bm25(&self, id: u32, doc: u32, tf: u32) -> f64 {
        let n = self.docs.len() as f64;
        let df = self.docs_of(id).len() as f64;
        let idf = ((n - df + 0.5) / (df + 0.5) + 1.0).ln();
        let avg = (self.total_len as f64 / n.max(1.0)).max(1.0);
        let len = self.doc_terms[doc as usize].len() as f64;
        let tf = f64::from(tf);
        idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * len / avg))
    }

    /// Answer `query`, at most `limit` hits, best first (ties in file and row order).
    pub fn search(&self, query: &Query, limit: usize) -> Found {
        if query.is_empty() || self.docs.is_empty() {
            return Found::default();
        }
        // Every required group: its term ids (a word is one; a prefix is many, any of them).
        let mut groups: Vec<Vec<u32>> = Vec::new();
        let mut stems: Vec<String> = Vec::new();
        for w in query.words.iter().chain(query.phrases.iter().flatten()) {
            match self.id(w) {
                Some(id) => groups.push(vec![id]),
                None => return Found::default(),
            }
            stems.push(w.clone());
        }
        if let Some(p) = &query.prefix {
            let mut ids: Vec<(usize, u32, &String)> = self
                .sorted
                .range(p.clone()..)
                .take_while(|(t, _)| t.starts_with(p.as_str()))
                .map(|(t, &id)| (self.docs_of(id).len(), id, t))
                .collect();
            // The stem of the word as typed so far counts too ("boxes" typed whole → "box").
            let whole = stem(p);
            if let Some(id) = self.id(&whole) {
                ids.push((self.docs_of(id).len(), id, &whole));
            }
            if ids.is_empty() {
                return Found::default();
            }
            ids.sort_by(|a, b| b.0.cmp(&a.0));
            ids.dedup_by_key(|x| x.1);
            ids.truncate(MAX_PREFIX_TERMS);
            stems.extend(ids.iter().map(|x| x.2.clone()));
            groups.push(ids.into_iter().map(|x| x.1).collect());
        }
        let excluded: HashSet<u32> = query.excluded.iter().filter_map(|w| self.id(w)).collect();
        // Candidates: documents of the rarest group, then every other group checked.
        groups.sort_by_key(|g| g.iter().map(|&id| self.docs_of(id).len()).sum::<usize>());
        let mut scored: Vec<(u32, f64)> = Vec::new();
        let mut candidates: Vec<u32> = groups[0].iter().flat_map(|&id| self.docs_of(id).iter().map(|&(d, _)| d)).collect();
        candidates.sort_unstable();
        candidates.dedup();
        'doc: for doc in candidates {
            let mut score = 0.0;
            for g in &groups {
                let best = g
                    .iter()
                    .filter_map(|&id| {
                        let p = self.docs_of(id);
                        p.binary_search_by_key(&doc, |&(d, _)| d).ok().map(|i| self.bm25(id, doc, p[i].1))
                    })
                    .fold(None, |a: Option<f64>, s| Some(a.map_or(s, |a| a.max(s))));
                match best {
                    Some(s) => score += s,
                    None => continue 'doc,
                }
            }
            let words = &self.doc_terms[doc as usize];
            if words.iter().any(|t| excluded.contains(t)) {
                continue;
            }
            for phrase in &query.phrases {
                let ids: Vec<u32> = phrase.iter().filter_map(|w| self.id(w)).collect();
                if !words.windows(ids.len()).any(|w| w == ids.as_slice()) {
                    continue 'doc;
                }
                score += 1.0; // a phrase met is worth a little more than its words
            }
            scored.push((doc, score));
        }
        let total = scored.len();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        let hits = scored
            .into_iter()
            .map(|(doc, score)| {
                let (f, row) = self.docs[doc as usize];
                Hit { file: self.files[f as usize].clone(), row, score }
            })
            .collect();
        stems.sort();
        stems.dedup();
        Found { hits, total, stems }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> Index {
        let mut i = Index::new();
        i.add_file(
            "a.parquet",
            &[
                "Add a red hat to the man.".into(),
                "Remove the text from the sign.".into(),
                "Adds a small hat on the dog's head.".into(),
                "Change the sky to sunset colors.".into(),
            ],
        );
        i.add_file("b.parquet", &["Add reflections of the trees in the lake.".into(), "Removing all text, the sign stays.".into(), "Add a hat".into()]);
        i
    }

    fn rows(found: &Found) -> Vec<(String, u64)> {
        found.hits.iter().map(|h| (h.file.clone(), h.row)).collect()
    }

    #[test]
    fn stems_meet_across_forms() {
        for (a, b) in [("adds", "add"), ("added", "add"), ("adding", "add"), ("boxes", "box"), ("changes", "change"), ("changed", "changing"), ("stopped", "stop"), ("skies", "sky"), ("glass", "glasses"), ("reflections", "reflection")] {
            assert_eq!(stem(a), stem(b), "{a} / {b}");
        }
        assert_eq!(stem("is"), "is");
        assert_eq!(stem("hat"), "hat");
    }

    #[test]
    fn words_all_match_in_any_order_with_stemming_and_ranking() {
        let i = index();
        let found = i.search(&Query::parse("hat add "), 10);
        assert_eq!(found.total, 3);
        let mut got = rows(&found);
        got.sort();
        assert_eq!(got, vec![("a.parquet".into(), 0), ("a.parquet".into(), 2), ("b.parquet".into(), 2)]);
        // The shortest text with both words ranks first.
        assert_eq!(rows(&found)[0], ("b.parquet".into(), 2));
        assert!(found.stems.contains(&"hat".to_string()) && found.stems.contains(&"add".to_string()));
    }

    #[test]
    fn phrases_exclusions_and_prefixes() {
        let i = index();
        assert_eq!(rows(&i.search(&Query::parse("\"remove the text\""), 10)), vec![("a.parquet".into(), 1)]);
        assert_eq!(i.search(&Query::parse("\"text remove\""), 10).total, 0, "a phrase keeps its order");
        assert_eq!(rows(&i.search(&Query::parse("hat -dog "), 10)).len(), 2);
        assert!(rows(&i.search(&Query::parse("hat -dog "), 10)).iter().all(|r| r != &("a.parquet".to_string(), 2)));
        // Typing "refl" finds "reflections"; with a space after, it is a whole word.
        assert_eq!(rows(&i.search(&Query::parse("refl"), 10)), vec![("b.parquet".into(), 0)]);
        assert_eq!(i.search(&Query::parse("refl "), 10).total, 0);
        assert_eq!(i.search(&Query::parse("removing"), 10).total, 2, "the typed word's stem counts too");
        assert_eq!(i.search(&Query::parse("zebra "), 10).total, 0);
        assert_eq!(i.search(&Query::parse("  "), 10).total, 0);
        assert_eq!(Query::parse("Add \"red hat\" -dog cap"), Query {
            words: vec!["add".into()],
            phrases: vec![vec!["red".into(), "hat".into()]],
            excluded: vec!["dog".into()],
            prefix: Some("cap".into()),
        });
    }

    #[test]
    fn limits_cut_the_list_but_not_the_count() {
        let i = index();
        let found = i.search(&Query::parse("the "), 2);
        assert_eq!(found.hits.len(), 2);
        assert_eq!(found.total, 6);
    }
}
