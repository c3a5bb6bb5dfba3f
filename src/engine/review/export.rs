//! What leaves the gallery as files: flagged samples as JSONL and CSV (RFC 4180 quoting),
//! the JSON of one row, and the names of a downloaded pair's files. Builds text only; the
//! UI turns it into a download.

use serde::Serialize;

use crate::engine::shard::sample::SampleMeta;

/// One flagged sample as exported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlaggedSample {
    pub id: Option<i64>,
    pub file: String,
    pub row: u64,
    pub task: Option<String>,
    pub instruction: Option<String>,
    pub note: String,
}

impl FlaggedSample {
    /// A flag, with what its row says when the row could be read.
    pub fn new(file: &str, row: u64, note: &str, meta: Option<&SampleMeta>) -> Self {
        Self {
            id: meta.and_then(|m| m.id),
            file: file.into(),
            row,
            task: meta.and_then(|m| m.task.clone()),
            instruction: meta.map(|m| m.instruction.clone()),
            note: note.into(),
        }
    }
}

/// One JSON object per line, each line ending in `\n`.
pub fn jsonl(samples: &[FlaggedSample]) -> String {
    let mut out = String::new();
    for s in samples {
        // A struct of strings and integers always serializes.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 6] = ["id", "file", "row", "task", "instruction", "note"];

/// A field as RFC 4180 wants it: quoted (with quotes doubled) when it holds a comma, a
/// quote, a line break or leading/trailing spaces; as is otherwise.
pub fn csv_field(value: &str) -> String {
    let needs = value.contains([',', '"', '\n', '\r']) || value.starts_with(' ') || value.ends_with(' ');
    if needs {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// A header line and one line per sample, lines ending in CRLF.
pub fn csv(samples: &[FlaggedSample]) -> String {
    let mut out = CSV_HEADER.join(",");
    out.push_str("\r\n");
    for s in samples {
        let fields = [
            s.id.map(|i| i.to_string()).unwrap_or_default(),
            s.file.clone(),
            s.row.to_string(),
            s.task.clone().unwrap_or_default(),
            s.instruction.clone().unwrap_or_default(),
            s.note.clone(),
        ];
        out.push_str(&fields.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A file name extension for an image MIME type (`bin` when unknown).
pub fn extension(mime: &str) -> &'static str {
    match mime {
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        "image/gif" => "gif",
        "image/bmp" => "bmp",
        "image/avif" => "avif",
        _ => "bin",
    }
}

/// The stem of a sample's downloaded files: its id, or the file's name and the row when
/// it has none. Only characters that are safe in a file name on every system.
pub fn stem(id: Option<i64>, file: &str, row: u64) -> String {
    let raw = match id {
        Some(id) => id.to_string(),
        None => {
            let name = file.split(['?', '#']).next().unwrap_or(file);
            let name = name.rsplit('/').next().unwrap_or(name);
            let name = name.strip_suffix(".parquet").unwrap_or(name);
            format!("{name}_row{row}")
        }
    };
    raw.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect()
}

/// The three files of a downloaded pair: `<stem>_source.<ext>`, `<stem>_edited.<ext>`,
/// `<stem>.json`.
pub fn pair_names(stem: &str, source_mime: &str, edited_mime: &str) -> [String; 3] {
    [
        format!("{stem}_source.{}", extension(source_mime)),
        format!("{stem}_edited.{}", extension(edited_mime)),
        format!("{stem}.json"),
    ]
}

#[derive(Serialize)]
struct RowJson<'a> {
    src: Option<&'a str>,
    file: &'a str,
    #[serde(flatten)]
    meta: &'a SampleMeta,
}

/// The JSON of one row, as downloaded beside its images: where it comes from and what
/// the row says.
pub fn row_json(src: Option<&str>, file: &str, meta: &SampleMeta) -> String {
    serde_json::to_string_pretty(&RowJson { src, file, meta }).unwrap_or_default()
}

/// The name of an export of the flags of dataset `name`.
pub fn export_name(name: &str, ext: &str) -> String {
    let stem = stem(None, name, 0);
    let stem = stem.strip_suffix("_row0").unwrap_or(&stem);
    format!("flagged_{stem}.{ext}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> SampleMeta {
        SampleMeta {
            row: 3,
            id: Some(1000003),
            task: Some("object_addition".into()),
            instruction: "Add a \"red\" hat, please\nand a scarf".into(),
            source_size: Some([512, 384]),
            edited_size: Some([512, 384]),
            scores: [Some(3), Some(2), None],
        }
    }

    fn samples() -> Vec<FlaggedSample> {
        vec![
            FlaggedSample::new("2.1_object_addition/a_0000.parquet", 3, "hat is blue, not red", Some(&meta())),
            FlaggedSample::new("b.parquet", 9, "", None),
        ]
    }

    /// A minimal RFC 4180 reader, to check that what `csv` writes reads back.
    fn parse_csv(text: &str) -> Vec<Vec<String>> {
        let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
        let mut chars = text.chars().peekable();
        let mut quoted = false;
        while let Some(c) = chars.next() {
            match (quoted, c) {
                (true, '"') if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                (true, '"') => quoted = false,
                (true, c) => field.push(c),
                (false, '"') => quoted = true,
                (false, ',') => row.push(std::mem::take(&mut field)),
                (false, '\r') => {}
                (false, '\n') => {
                    row.push(std::mem::take(&mut field));
                    rows.push(std::mem::take(&mut row));
                }
                (false, c) => field.push(c),
            }
        }
        rows
    }

    #[test]
    fn csv_quotes_what_needs_quoting_and_reads_back() {
        let text = csv(&samples());
        assert!(text.starts_with("id,file,row,task,instruction,note\r\n"), "{text}");
        assert!(text.contains("\"Add a \"\"red\"\" hat, please\nand a scarf\""), "{text}");
        let rows = parse_csv(&text);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[1],
            vec!["1000003", "2.1_object_addition/a_0000.parquet", "3", "object_addition", "Add a \"red\" hat, please\nand a scarf", "hat is blue, not red"]
        );
        assert_eq!(rows[2], vec!["", "b.parquet", "9", "", "", ""]);
    }

    #[test]
    fn csv_fields_are_quoted_only_when_needed() {
        assert_eq!(csv_field("plain text"), "plain text");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("two\r\nlines"), "\"two\r\nlines\"");
        assert_eq!(csv_field(" padded"), "\" padded\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn jsonl_is_one_object_per_line() {
        let text = jsonl(&samples());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        let first: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(first["id"], 1000003);
        assert_eq!(first["file"], "2.1_object_addition/a_0000.parquet");
        assert_eq!(first["row"], 3);
        assert_eq!(first["task"], "object_addition");
        assert_eq!(first["instruction"], "Add a \"red\" hat, please\nand a scarf");
        assert_eq!(first["note"], "hat is blue, not red");
        let second: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert!(second["id"].is_null() && second["instruction"].is_null());
        assert_eq!(jsonl(&[]), "");
    }

    #[test]
    fn pair_files_are_named_by_id_and_mime() {
        assert_eq!(
            pair_names(&stem(Some(42), "x.parquet", 1), "image/jpeg", "image/png"),
            ["42_source.jpg", "42_edited.png", "42.json"]
        );
        assert_eq!(stem(None, "https://h.org/d/3.1_color_change/color_change_0003.parquet?x=1", 7), "color_change_0003_row7");
        assert_eq!(stem(None, "we ird/na:me.parquet", 0), "na_me_row0");
        assert_eq!(extension("application/octet-stream"), "bin");
        assert_eq!(export_name("ScaleEdit demo", "csv"), "flagged_ScaleEdit_demo.csv");
    }

    #[test]
    fn the_row_json_says_where_the_row_comes_from() {
        let v: serde_json::Value = serde_json::from_str(&row_json(Some("https://h.org/m.json"), "a.parquet", &meta())).unwrap();
        assert_eq!(v["src"], "https://h.org/m.json");
        assert_eq!(v["file"], "a.parquet");
        assert_eq!(v["row"], 3);
        assert_eq!(v["id"], 1000003);
        assert_eq!(v["instruction"], "Add a \"red\" hat, please\nand a scarf");
    }
}
