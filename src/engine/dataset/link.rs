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
    /// How the open sample compares its two images: `side`, `slider`, `flicker`, `diff`.
    Mode,
    /// The slider's divider: `h` (left | right, the default) or `v` (top / bottom).
    Split,
    /// The difference threshold, 0–255: a pixel counts as changed above it.
    Threshold,
    /// `1`: the grid shows only the samples flagged in this browser.
    Flagged,
    /// Which columns hold the pair and the instruction, when no known layout fits:
    /// `source:colA,edited:colB,instruction:colC` (any of the three).
    Map,
    /// Thumbnail size of the grid: `s`, `m` (the default) or `l`.
    Size,
    /// A random order of the grid, reproducible from this number.
    Seed,
    /// Score filters: the instruction-following, editing-consistency and generation-quality
    /// scores a sample may have to be shown, as digits (`if=23`: 2 or 3).
    If,
    Ec,
    Gq,
    /// A search of the instructions (see `engine::search` for the query language).
    Query,
    /// A sample by its `id`, found through the dataset's static index; once found, the
    /// link names its file and row instead.
    Id,
}

impl Param {
    pub const ALL: [Param; 16] = [
        Param::Src,
        Param::Task,
        Param::File,
        Param::Row,
        Param::Mode,
        Param::Split,
        Param::Threshold,
        Param::Flagged,
        Param::Map,
        Param::Size,
        Param::Seed,
        Param::If,
        Param::Ec,
        Param::Gq,
        Param::Query,
        Param::Id,
    ];

    /// The score filter parameters, in the order of `ViewState::scores`.
    pub const SCORES: [Param; 3] = [Param::If, Param::Ec, Param::Gq];

    pub fn name(self) -> &'static str {
        match self {
            Param::Src => "src",
            Param::Task => "task",
            Param::File => "file",
            Param::Row => "row",
            Param::Mode => "mode",
            Param::Split => "split",
            Param::Threshold => "thr",
            Param::Flagged => "flagged",
            Param::Map => "map",
            Param::Size => "size",
            Param::Seed => "seed",
            Param::If => "if",
            Param::Ec => "ec",
            Param::Gq => "gq",
            Param::Query => "q",
            Param::Id => "id",
        }
    }
}

/// How the sample view compares source and edited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CompareMode {
    /// Both images next to each other, zoomed and panned together.
    #[default]
    Side,
    /// One over the other with a draggable divider.
    Slider,
    /// One at a time in the same place; holding a key or button shows the other.
    Flicker,
    /// The source with a heatmap of what changed.
    Diff,
}

impl CompareMode {
    pub const ALL: [CompareMode; 4] = [CompareMode::Side, CompareMode::Slider, CompareMode::Flicker, CompareMode::Diff];

    /// The value in the URL (and in `data-mode`).
    pub fn name(self) -> &'static str {
        match self {
            CompareMode::Side => "side",
            CompareMode::Slider => "slider",
            CompareMode::Flicker => "flicker",
            CompareMode::Diff => "diff",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CompareMode::Side => "Side by side",
            CompareMode::Slider => "Slider",
            CompareMode::Flicker => "Flicker",
            CompareMode::Diff => "Difference",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == value)
    }
}

/// Where the slider's divider runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Split {
    /// A vertical line: source on the left, edited on the right.
    #[default]
    Horizontal,
    /// A horizontal line: source above, edited below.
    Vertical,
}

impl Split {
    pub fn name(self) -> &'static str {
        match self {
            Split::Horizontal => "h",
            Split::Vertical => "v",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "h" => Some(Split::Horizontal),
            "v" => Some(Split::Vertical),
            _ => None,
        }
    }
}

/// The score values (1–9) a filter lets through, as a set of bits (bit `v` for value `v`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ScoreSet(pub u16);

impl ScoreSet {
    pub fn contains(self, value: u8) -> bool {
        (1..=9).contains(&value) && self.0 & (1 << value) != 0
    }

    pub fn toggle(self, value: u8) -> Self {
        Self(self.0 ^ (1 << value.clamp(1, 9)))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// `"23"` for {2, 3}; `None` when nothing readable is named.
    pub fn parse(text: &str) -> Option<Self> {
        let mut bits = 0u16;
        for c in text.chars() {
            let v = c.to_digit(10).filter(|v| (1..=9).contains(v))?;
            bits |= 1 << v;
        }
        (bits != 0).then_some(Self(bits))
    }

    pub fn to_param(self) -> String {
        (1..=9u8).filter(|&v| self.contains(v)).map(|v| char::from(b'0' + v)).collect()
    }
}

/// How large the grid shows its pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Density {
    Small,
    #[default]
    Medium,
    Large,
}

impl Density {
    pub const ALL: [Density; 3] = [Density::Small, Density::Medium, Density::Large];

    pub fn name(self) -> &'static str {
        match self {
            Density::Small => "s",
            Density::Medium => "m",
            Density::Large => "l",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Density::Small => "Small",
            Density::Medium => "Medium",
            Density::Large => "Large",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == value)
    }

    /// Narrowest card, in CSS pixels.
    pub fn card_width(self) -> u32 {
        match self {
            Density::Small => 220,
            Density::Medium => 300,
            Density::Large => 440,
        }
    }
}

/// The difference threshold when the URL names none: small enough to catch an edit, large
/// enough to ignore JPEG noise.
pub const DEFAULT_THRESHOLD: u8 = 24;

/// The state of the view that a link carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewState {
    pub src: Option<String>,
    pub task: Option<String>,
    /// The open sample: (file, row).
    pub open: Option<(String, u64)>,
    pub mode: CompareMode,
    pub split: Split,
    pub threshold: u8,
    /// Only flagged samples in the grid.
    pub flagged: bool,
    /// The columns named in the link (`map=`), as written; `ColumnMap::parse` reads it.
    pub map: Option<String>,
    pub density: Density,
    /// A random order of the grid from this seed; `None`: file order.
    pub seed: Option<u64>,
    /// Score filters (instruction following, editing consistency, generation quality).
    pub scores: [Option<ScoreSet>; 3],
    /// A search of the instructions, as typed.
    pub query: Option<String>,
    /// A sample asked for by its id, not found yet.
    pub id: Option<i64>,
}

impl Default for ViewState {
    fn default() -> Self {
        Self {
            src: None,
            task: None,
            open: None,
            mode: CompareMode::default(),
            split: Split::default(),
            threshold: DEFAULT_THRESHOLD,
            flagged: false,
            map: None,
            density: Density::default(),
            seed: None,
            scores: [None; 3],
            query: None,
            id: None,
        }
    }
}

/// Which columns hold the source image, the edited image and the instruction, as a link
/// names them (`map=source:colA,edited:colB,instruction:colC`); roles left out are found
/// by the known layouts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ColumnMap {
    pub source: Option<String>,
    pub edited: Option<String>,
    pub instruction: Option<String>,
}

impl ColumnMap {
    /// The roles a map names, as written in links.
    pub const ROLES: [&'static str; 3] = ["source", "edited", "instruction"];

    /// Read `source:a,edited:b,instruction:c` (roles in any order, any of them).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut map = ColumnMap::default();
        for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (role, column) = part
                .split_once(':')
                .ok_or_else(|| format!("`{part}` is not role:column (roles: source, edited, instruction)"))?;
            let column = column.trim();
            if column.is_empty() {
                return Err(format!("no column named for `{}`", role.trim()));
            }
            let slot = match role.trim() {
                "source" => &mut map.source,
                "edited" => &mut map.edited,
                "instruction" => &mut map.instruction,
                other => return Err(format!("unknown role `{other}` (roles: source, edited, instruction)")),
            };
            if slot.replace(column.to_string()).is_some() {
                return Err(format!("`{}` is named twice", role.trim()));
            }
        }
        if map == ColumnMap::default() {
            return Err("it names no column (source:…,edited:…,instruction:…)".into());
        }
        Ok(map)
    }

    /// The column named for `role` (`source`, `edited` or `instruction`).
    pub fn get(&self, role: &str) -> Option<&str> {
        match role {
            "source" => self.source.as_deref(),
            "edited" => self.edited.as_deref(),
            "instruction" => self.instruction.as_deref(),
            _ => None,
        }
    }

    /// As written in links.
    pub fn to_param(&self) -> String {
        Self::ROLES.iter().filter_map(|r| self.get(r).map(|c| format!("{r}:{c}"))).collect::<Vec<_>>().join(",")
    }
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
                k if k == Param::Mode.name() => state.mode = CompareMode::parse(&v).unwrap_or_default(),
                k if k == Param::Split.name() => state.split = Split::parse(&v).unwrap_or_default(),
                k if k == Param::Threshold.name() => state.threshold = v.parse::<u8>().unwrap_or(DEFAULT_THRESHOLD),
                k if k == Param::Flagged.name() => state.flagged = matches!(v.as_str(), "1" | "true"),
                k if k == Param::Map.name() => state.map = Some(v),
                k if k == Param::Size.name() => state.density = Density::parse(&v).unwrap_or_default(),
                k if k == Param::Seed.name() => state.seed = v.parse::<u64>().ok(),
                k if k == Param::Query.name() => state.query = Some(v),
                k if k == Param::Id.name() => state.id = v.parse::<i64>().ok(),
                k if Param::SCORES.iter().any(|p| p.name() == k) => {
                    let i = Param::SCORES.iter().position(|p| p.name() == k).unwrap_or(0);
                    state.scores[i] = ScoreSet::parse(&v);
                }
                _ => {}
            }
        }
        state.open = file.zip(row);
        state
    }

    /// The query string, without `?`, with empty and default values left out, in a fixed
    /// order.
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
        if self.mode != CompareMode::default() {
            q.append_pair(Param::Mode.name(), self.mode.name());
        }
        if self.split != Split::default() {
            q.append_pair(Param::Split.name(), self.split.name());
        }
        if self.threshold != DEFAULT_THRESHOLD {
            q.append_pair(Param::Threshold.name(), &self.threshold.to_string());
        }
        if self.flagged {
            q.append_pair(Param::Flagged.name(), "1");
        }
        if let Some(m) = &self.map {
            q.append_pair(Param::Map.name(), m);
        }
        if self.density != Density::default() {
            q.append_pair(Param::Size.name(), self.density.name());
        }
        if let Some(seed) = self.seed {
            q.append_pair(Param::Seed.name(), &seed.to_string());
        }
        for (p, set) in Param::SCORES.iter().zip(self.scores) {
            if let Some(set) = set.filter(|s| !s.is_empty()) {
                q.append_pair(p.name(), &set.to_param());
            }
        }
        if let Some(query) = self.query.as_deref().filter(|s| !s.trim().is_empty()) {
            q.append_pair(Param::Query.name(), query);
        }
        if let Some(id) = self.id {
            q.append_pair(Param::Id.name(), &id.to_string());
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
            mode: CompareMode::Diff,
            split: Split::Vertical,
            threshold: 7,
            flagged: true,
            map: Some("source:a b,edited:c,instruction:d".into()),
            density: Density::Large,
            seed: Some(42),
            scores: [Some(ScoreSet(0b1100)), None, Some(ScoreSet(0b10))],
            query: Some("add \"red hat\" -dog".into()),
            id: Some(1_054_013),
        };
        let q = s.to_query();
        assert!(!q.contains(' '), "{q}");
        assert_eq!(ViewState::from_query(&format!("?{q}")), s);
    }

    #[test]
    fn an_id_is_a_number() {
        assert_eq!(ViewState::from_query("id=1234567").id, Some(1_234_567));
        assert_eq!(ViewState::from_query("id=-3").id, Some(-3));
        assert_eq!(ViewState::from_query("id=12ab").id, None);
        assert_eq!(ViewState { id: Some(7), ..Default::default() }.to_query(), "id=7");
    }

    #[test]
    fn empty_and_unknown_parameters_are_dropped() {
        let s = ViewState::from_query("src=&task=color_change&zzz=1&row=3");
        assert_eq!(s, ViewState { task: Some("color_change".into()), ..Default::default() });
        assert_eq!(s.to_query(), "task=color_change");
        assert_eq!(ViewState::default().to_query(), "");
    }

    #[test]
    fn every_mode_and_split_round_trips() {
        for mode in CompareMode::ALL {
            for split in [Split::Horizontal, Split::Vertical] {
                let s = ViewState { mode, split, ..Default::default() };
                assert_eq!(ViewState::from_query(&s.to_query()), s, "{}", s.to_query());
            }
        }
        let q = ViewState { mode: CompareMode::Slider, split: Split::Vertical, ..Default::default() }.to_query();
        assert_eq!(q, "mode=slider&split=v");
    }

    #[test]
    fn defaults_stay_out_of_the_link() {
        let s = ViewState { mode: CompareMode::Side, split: Split::Horizontal, threshold: DEFAULT_THRESHOLD, ..Default::default() };
        assert_eq!(s.to_query(), "");
        assert_eq!(ViewState::from_query("mode=side&split=h&thr=24&flagged=0"), ViewState::default());
    }

    #[test]
    fn threshold_and_flagged_round_trip() {
        let s = ViewState::from_query("thr=0&flagged=1&mode=diff");
        assert_eq!((s.threshold, s.flagged, s.mode), (0, true, CompareMode::Diff));
        assert_eq!(s.to_query(), "mode=diff&thr=0&flagged=1");
        assert_eq!(ViewState::from_query(&s.to_query()), s);
        assert_eq!(ViewState::from_query("thr=255").threshold, 255);
    }

    #[test]
    fn unreadable_comparison_values_fall_back_to_defaults() {
        let s = ViewState::from_query("mode=sideways&split=diagonal&thr=300&flagged=yes");
        assert_eq!(s, ViewState::default());
        assert_eq!(ViewState::from_query("thr=-1").threshold, DEFAULT_THRESHOLD);
    }

    #[test]
    fn parameter_names_are_distinct() {
        let mut names: Vec<_> = Param::ALL.iter().map(|p| p.name()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Param::ALL.len());
    }

    #[test]
    fn column_maps_parse_and_write_back() {
        let m = ColumnMap::parse("instruction: edit ,source:src_img, edited:out").unwrap();
        assert_eq!(m, ColumnMap { source: Some("src_img".into()), edited: Some("out".into()), instruction: Some("edit".into()) });
        assert_eq!(m.to_param(), "source:src_img,edited:out,instruction:edit");
        assert_eq!(ColumnMap::parse(&m.to_param()).unwrap(), m);
        assert_eq!(ColumnMap::parse("edited:x").unwrap().to_param(), "edited:x");
        for bad in ["", "source", "source:", "target:x", "source:a,source:b", ",,"] {
            assert!(ColumnMap::parse(bad).is_err(), "{bad}");
        }
        let s = ViewState::from_query("map=source%3Aa%2Cedited%3Ab");
        assert_eq!(s.map.as_deref(), Some("source:a,edited:b"));
        assert_eq!(ViewState::from_query(&s.to_query()), s);
    }

    #[test]
    fn density_and_seed_round_trip_and_fall_back() {
        let s = ViewState::from_query("size=s&seed=0");
        assert_eq!((s.density, s.seed), (Density::Small, Some(0)));
        assert_eq!(s.to_query(), "size=s&seed=0");
        let bad = ViewState::from_query("size=huge&seed=-3");
        assert_eq!((bad.density, bad.seed), (Density::Medium, None));
        assert_eq!(ViewState::from_query("size=m").to_query(), "");
    }

    #[test]
    fn score_filters_round_trip_and_ignore_what_they_cannot_read() {
        let s = ViewState::from_query("if=32&ec=1&gq=x");
        assert_eq!(s.scores, [Some(ScoreSet(0b1100)), Some(ScoreSet(0b10)), None]);
        assert_eq!(s.to_query(), "if=23&ec=1");
        assert!(s.scores[0].unwrap().contains(3) && !s.scores[0].unwrap().contains(1));
        assert_eq!(ScoreSet(0b10).toggle(1), ScoreSet(0));
        assert_eq!(ViewState::from_query("if=0"), ViewState::default());
    }

    #[test]
    fn a_row_that_is_not_a_number_opens_nothing() {
        assert_eq!(ViewState::from_query("file=a.parquet&row=x").open, None);
    }
}
