//! The shareable view state and its query string. Everything a shared link must
//! reproduce lives here; parameter names are written in this one place.

/// Query parameter names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// Dataset source (manifest or Parquet URL); absent: the bundled demo.
    Src,
    /// Task family filter (task name, e.g. `object_addition`).
    Task,
    /// Open sample: its file (URL or path as the dataset lists it) …
    File,
    /// … and its row within that file.
    Row,
}

impl Param {
    pub const ALL: [Param; 4] = [Param::Src, Param::Task, Param::File, Param::Row];

    pub fn name(self) -> &'static str {
        match self {
            Param::Src => "src",
            Param::Task => "task",
            Param::File => "file",
            Param::Row => "row",
        }
    }
}

/// The state of the view that a link carries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ViewState {
    pub src: Option<String>,
    pub task: Option<String>,
    /// The open sample: (file, row).
    pub open: Option<(String, u64)>,
}

impl ViewState {
    /// Parse a query string (with or without the leading `?`). Unknown parameters are
    /// ignored; empty values count as absent.
    pub fn from_query(query: &str) -> Self {
        let query = query.strip_prefix('?').unwrap_or(query);
        let mut state = ViewState::default();
        let mut file = None;
        let mut row = None;
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = v.trim().to_string();
            if v.is_empty() {
                continue;
            }
            match k.as_ref() {
                k if k == Param::Src.name() => state.src = Some(v),
                k if k == Param::Task.name() => state.task = Some(v),
                k if k == Param::File.name() => file = Some(v),
                k if k == Param::Row.name() => row = v.parse::<u64>().ok(),
                _ => {}
            }
        }
        state.open = file.zip(row);
        state
    }

    /// The query string, without `?`, with empty values left out, in a fixed order.
    pub fn to_query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if let Some(s) = &self.src {
            q.append_pair(Param::Src.name(), s);
        }
        if let Some(t) = &self.task {
            q.append_pair(Param::Task.name(), t);
        }
        if let Some((f, r)) = &self.open {
            q.append_pair(Param::File.name(), f);
            q.append_pair(Param::Row.name(), &r.to_string());
        }
        q.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_every_field() {
        let s = ViewState {
            src: Some("https://h.org/a b.parquet?x=1&y=2".into()),
            task: Some("object_addition".into()),
            open: Some(("https://h.org/a b.parquet?x=1&y=2".into(), 17)),
        };
        let q = s.to_query();
        assert!(!q.contains(' '), "{q}");
        assert_eq!(ViewState::from_query(&format!("?{q}")), s);
    }

    #[test]
    fn empty_and_unknown_parameters_are_dropped() {
        let s = ViewState::from_query("src=&task=color_change&zzz=1&row=3");
        assert_eq!(s, ViewState { src: None, task: Some("color_change".into()), open: None });
        assert_eq!(s.to_query(), "task=color_change");
        assert_eq!(ViewState::default().to_query(), "");
    }

    #[test]
    fn a_row_that_is_not_a_number_opens_nothing() {
        assert_eq!(ViewState::from_query("file=a.parquet&row=x").open, None);
    }
}
