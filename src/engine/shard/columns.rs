//! The columns a gallery reads from a shard, found by name in the file's schema and
//! checked for type: ScaleEdit-12M's names first, then the layouts of other editing
//! datasets (MagicBrush, InstructPix2Pix, OmniEdit, HQ-Edit, UltraEdit), or the columns a
//! link names (`map=`). Images are raw bytes or the Hub's `struct<bytes, path>`; the
//! instruction is text or a list of texts. Images and the instruction are required; the
//! task, sizes and scores are shown when present.

use arrow_schema::{DataType, Schema};
use parquet::file::metadata::ParquetMetaData;
use parquet::schema::types::SchemaDescriptor;
use serde::{Deserialize, Serialize};

use crate::engine::dataset::link::ColumnMap;
use crate::engine::error::{EngineError, EngineResult};

pub const ID: &str = "id";
pub const TASK: &str = "edit_task";
pub const INSTRUCTION: &str = "edit_instruction";
pub const SOURCE_IMAGE: &str = "source_image";
pub const EDITED_IMAGE: &str = "edited_image";
pub const SOURCE_WIDTH: &str = "source_image_width";
pub const SOURCE_HEIGHT: &str = "source_image_height";
pub const EDITED_WIDTH: &str = "edited_image_width";
pub const EDITED_HEIGHT: &str = "edited_image_height";
pub const SCORE_IF: &str = "instruction_following_score";
pub const SCORE_EC: &str = "editing_consistency_score";
pub const SCORE_GQ: &str = "generation_quality_score";

/// A known layout: the names its datasets give the two images and the instruction,
/// each role with the names tried in order.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub source: &'static [&'static str],
    pub edited: &'static [&'static str],
    pub instruction: &'static [&'static str],
}

/// The layouts recognised, in the order they are tried (ScaleEdit's names first).
pub const PRESETS: [Preset; 6] = [
    Preset { name: "ScaleEdit-12M", source: &[SOURCE_IMAGE], edited: &[EDITED_IMAGE], instruction: &[INSTRUCTION] },
    Preset { name: "MagicBrush", source: &["source_img"], edited: &["target_img"], instruction: &["instruction"] },
    Preset {
        name: "InstructPix2Pix",
        source: &["original_image", "input_image"],
        edited: &["edited_image"],
        instruction: &["edit_prompt"],
    },
    Preset { name: "OmniEdit", source: &["src_img"], edited: &["edited_img"], instruction: &["edited_prompt_list"] },
    Preset { name: "HQ-Edit", source: &["input_image"], edited: &["output_image"], instruction: &["edit"] },
    Preset { name: "UltraEdit", source: &["source_image"], edited: &["edited_image"], instruction: &["edit_prompt"] },
];

/// Root column indices of the gallery's columns in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    /// The layout recognised (a preset's name), or `map` when the link named the columns.
    pub layout: String,
    pub instruction: usize,
    pub source_image: usize,
    pub edited_image: usize,
    /// Names of the instruction, source and edited columns (as decoded batches name them).
    pub names: [String; 3],
    /// The `bytes` leaf of an image stored as the Hub's `struct<bytes, path>`: source,
    /// edited. Only that leaf is read.
    pub image_leaves: [Option<usize>; 2],
    pub id: Option<usize>,
    pub task: Option<usize>,
    /// source width, source height, edited width, edited height
    pub sizes: [Option<usize>; 4],
    /// instruction following, editing consistency, generation quality
    pub scores: [Option<usize>; 3],
}

impl Columns {
    /// Every column except the images: what a grid row needs to show its text.
    pub fn small(&self) -> Vec<usize> {
        let mut v = vec![self.instruction];
        v.extend(self.id);
        v.extend(self.task);
        v.extend(self.sizes.iter().flatten());
        v.extend(self.scores.iter().flatten());
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn images(&self) -> Vec<usize> {
        let mut v = vec![self.source_image, self.edited_image];
        v.sort_unstable();
        v.dedup();
        v
    }

    /// The only leaf read of root `root`, when it is an image stored as a struct.
    pub fn image_leaf(&self, root: usize) -> Option<usize> {
        if root == self.source_image {
            self.image_leaves[0]
        } else if root == self.edited_image {
            self.image_leaves[1]
        } else {
            None
        }
    }

    pub fn instruction_name(&self) -> &str {
        &self.names[0]
    }

    pub fn source_name(&self) -> &str {
        &self.names[1]
    }

    pub fn edited_name(&self) -> &str {
        &self.names[2]
    }
}

fn is_string(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_binary(t: &DataType) -> bool {
    matches!(t, DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
}

fn is_integer(t: &DataType) -> bool {
    t.is_integer()
}

/// Text, or a list of texts (OmniEdit's `edited_prompt_list`: the first is shown).
fn is_text(t: &DataType) -> bool {
    match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::ListView(f) | DataType::LargeListView(f) | DataType::FixedSizeList(f, _) => {
            is_string(f.data_type())
        }
        t => is_string(t),
    }
}

/// Raw bytes, or the Hub's image `struct<bytes: binary, path: string>`.
fn is_image(t: &DataType) -> bool {
    match t {
        DataType::Struct(fields) => fields.iter().any(|f| f.name() == "bytes" && is_binary(f.data_type())),
        t => is_binary(t),
    }
}

/// The Arrow schema of a file as the reader will decode it.
pub fn arrow_schema(file: &str, metadata: &ParquetMetaData) -> EngineResult<Schema> {
    let fm = metadata.file_metadata();
    parquet::arrow::parquet_to_arrow_schema(fm.schema_descr(), fm.key_value_metadata())
        .map_err(|e| EngineError::Corrupt { file: file.into(), detail: format!("unreadable schema: {e}") })
}

/// How a column fits a role.
enum Fit {
    Absent,
    /// Present with a type the role cannot take.
    Wrong(usize),
    Fits(usize),
}

/// A role of the gallery's columns: its name in links, the types it takes, and how to say
/// them.
type Role = (&'static str, fn(&DataType) -> bool, &'static str);

/// The leaf of `bytes` under root `root` (an image struct).
fn bytes_leaf(descr: &SchemaDescriptor, root: usize) -> Option<usize> {
    (0..descr.num_columns()).find(|&l| {
        let column = descr.column(l);
        let parts = column.path().parts();
        descr.get_column_root_idx(l) == root && parts.len() == 2 && parts[1] == "bytes"
    })
}

/// Find and type-check the gallery's columns: the ones `map` names, the others by the
/// first known layout (`PRESETS`) that fits. Optional columns (id, task, sizes, scores)
/// are taken by ScaleEdit's names when their type fits, and left out otherwise.
pub fn find(file: &str, schema: &Schema, descr: &SchemaDescriptor, map: Option<&ColumnMap>) -> EngineResult<Columns> {
    let found: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let fit = |name: &str, ok: fn(&DataType) -> bool| match schema.index_of(name) {
        Err(_) => Fit::Absent,
        Ok(i) if ok(schema.field(i).data_type()) => Fit::Fits(i),
        Ok(i) => Fit::Wrong(i),
    };
    let wrong_type = |i: usize, expected: &str| EngineError::ColumnType {
        file: file.into(),
        column: schema.field(i).name().clone(),
        expected: expected.into(),
        found: schema.field(i).data_type().to_string(),
    };
    let roles: [Role; 3] = [
        ("instruction", is_text, "string or list of strings"),
        ("source", is_image, "binary or struct<bytes: binary, path: string>"),
        ("edited", is_image, "binary or struct<bytes: binary, path: string>"),
    ];
    let names_of = |p: &Preset, role: &str| -> &'static [&'static str] {
        match role {
            "instruction" => p.instruction,
            "source" => p.source,
            _ => p.edited,
        }
    };
    // Roles the link names must be there, with a type that fits.
    let mut chosen: [Option<usize>; 3] = [None; 3];
    let mut missing_named = Vec::new();
    for (k, (role, ok, expected)) in roles.iter().enumerate() {
        if let Some(name) = map.and_then(|m| m.get(role)) {
            match fit(name, *ok) {
                Fit::Fits(i) => chosen[k] = Some(i),
                Fit::Wrong(i) => return Err(wrong_type(i, expected)),
                Fit::Absent => missing_named.push(name.to_string()),
            }
        }
    }
    if !missing_named.is_empty() {
        let hint = format!(" (`map=` in the link names {}; name columns the file has)", missing_named.join(", "));
        return Err(EngineError::MissingColumns { file: file.into(), missing: missing_named, found, hint });
    }
    // The others by the first layout whose names all fit.
    let mut layout = if map.is_some() { "map" } else { "" };
    if chosen.iter().any(Option::is_none) {
        let pick = PRESETS.iter().find_map(|p| {
            let mut got = chosen;
            for (k, (role, ok, _)) in roles.iter().enumerate() {
                if got[k].is_none() {
                    got[k] = names_of(p, role).iter().find_map(|n| match fit(n, *ok) {
                        Fit::Fits(i) => Some(i),
                        _ => None,
                    });
                }
            }
            got.iter().all(Option::is_some).then_some((p, got))
        });
        match pick {
            Some((p, got)) => {
                chosen = got;
                if map.is_none() {
                    layout = p.name;
                }
            }
            None => {
                // ScaleEdit's names present with a wrong type: say which.
                for (k, (role, ok, expected)) in roles.iter().enumerate() {
                    if chosen[k].is_none() {
                        if let Fit::Wrong(i) = fit(names_of(&PRESETS[0], role)[0], *ok) {
                            return Err(wrong_type(i, expected));
                        }
                    }
                }
                let missing: Vec<String> = roles
                    .iter()
                    .enumerate()
                    .filter(|(k, (role, _, _))| chosen[*k].is_none() && schema.index_of(names_of(&PRESETS[0], role)[0]).is_err())
                    .map(|(_, (role, _, _))| names_of(&PRESETS[0], role)[0].to_string())
                    .collect();
                let layouts: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
                let hint = format!(
                    ". No known layout fits ({}): name the columns in the link, e.g. &map=source:<column>,edited:<column>,instruction:<column>",
                    layouts.join(", ")
                );
                return Err(EngineError::MissingColumns { file: file.into(), missing, found, hint });
            }
        }
    }
    let [Some(instruction), Some(source_image), Some(edited_image)] = chosen else {
        return Err(EngineError::Corrupt { file: file.into(), detail: "no columns chosen".into() });
    };
    let optional = |name: &str, ok: fn(&DataType) -> bool| match fit(name, ok) {
        Fit::Fits(i) if ![instruction, source_image, edited_image].contains(&i) => Some(i),
        _ => None,
    };
    let int = |n| optional(n, is_integer);
    let leaf = |root: usize| matches!(schema.field(root).data_type(), DataType::Struct(_)).then(|| bytes_leaf(descr, root)).flatten();
    Ok(Columns {
        layout: layout.to_string(),
        instruction,
        source_image,
        edited_image,
        names: [instruction, source_image, edited_image].map(|i| schema.field(i).name().clone()),
        image_leaves: [leaf(source_image), leaf(edited_image)],
        id: int(ID),
        task: optional(TASK, is_string),
        sizes: [int(SOURCE_WIDTH), int(SOURCE_HEIGHT), int(EDITED_WIDTH), int(EDITED_HEIGHT)],
        scores: [int(SCORE_IF), int(SCORE_EC), int(SCORE_GQ)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::{Field, Fields};
    use parquet::arrow::ArrowSchemaConverter;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(fields.iter().map(|(n, t)| Field::new(*n, t.clone(), true)).collect::<Vec<_>>())
    }

    fn find_in(s: &Schema, map: Option<&ColumnMap>) -> EngineResult<Columns> {
        let descr = ArrowSchemaConverter::new().convert(s).unwrap();
        find("x.parquet", s, &descr, map)
    }

    fn hub_image() -> DataType {
        DataType::Struct(Fields::from(vec![Field::new("bytes", DataType::Binary, true), Field::new("path", DataType::Utf8, true)]))
    }

    #[test]
    fn missing_columns_are_named_with_what_the_file_has() {
        let err = find_in(&schema(&[("a", DataType::Int64), (SOURCE_IMAGE, DataType::Binary)]), None).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x.parquet"), "{msg}");
        assert!(msg.contains("edit_instruction") && msg.contains("edited_image"), "{msg}");
        assert!(msg.contains("the file has: a, source_image"), "{msg}");
        assert!(msg.contains("MagicBrush") && msg.contains("&map=source:<column>"), "{msg}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let s = schema(&[(INSTRUCTION, DataType::Utf8), (SOURCE_IMAGE, DataType::Int64), (EDITED_IMAGE, DataType::Binary)]);
        let err = find_in(&s, None).unwrap_err();
        assert!(matches!(err, EngineError::ColumnType { ref column, .. } if column == SOURCE_IMAGE));
    }

    #[test]
    fn optional_columns_are_found_when_present() {
        let s = schema(&[
            (ID, DataType::Int64),
            (INSTRUCTION, DataType::LargeUtf8),
            (SOURCE_IMAGE, DataType::Binary),
            (EDITED_IMAGE, DataType::LargeBinary),
            (SCORE_EC, DataType::Int64),
        ]);
        let c = find_in(&s, None).unwrap();
        assert_eq!(c.layout, "ScaleEdit-12M");
        assert_eq!(c.id, Some(0));
        assert_eq!(c.scores, [None, Some(4), None]);
        assert_eq!(c.small(), vec![0, 1, 4]);
        assert_eq!(c.images(), vec![2, 3]);
        assert_eq!(c.image_leaves, [None, None]);
    }

    #[test]
    fn every_preset_is_recognised_by_its_names() {
        let cases: [(&str, Vec<(&str, DataType)>); 6] = [
            ("ScaleEdit-12M", vec![(INSTRUCTION, DataType::Utf8), (SOURCE_IMAGE, DataType::Binary), (EDITED_IMAGE, DataType::Binary), ("edit_prompt", DataType::Utf8)]),
            ("MagicBrush", vec![("img_id", DataType::Utf8), ("turn_index", DataType::Int32), ("source_img", hub_image()), ("mask_img", hub_image()), ("instruction", DataType::Utf8), ("target_img", hub_image())]),
            ("InstructPix2Pix", vec![("original_prompt", DataType::Utf8), ("original_image", hub_image()), ("edit_prompt", DataType::Utf8), ("edited_prompt", DataType::Utf8), ("edited_image", hub_image())]),
            ("OmniEdit", vec![("omni_edit_id", DataType::Utf8), ("task", DataType::Utf8), ("src_img", hub_image()), ("edited_img", hub_image()), ("edited_prompt_list", DataType::List(std::sync::Arc::new(Field::new("item", DataType::Utf8, true))))]),
            ("HQ-Edit", vec![("input", DataType::Utf8), ("input_image", hub_image()), ("edit", DataType::Utf8), ("inverse_edit", DataType::Utf8), ("output", DataType::Utf8), ("output_image", hub_image())]),
            ("UltraEdit", vec![("clip_sim_source", DataType::Float64), ("edit_prompt", DataType::Utf8), ("source_image", DataType::Binary), ("edited_image", DataType::Binary), ("mask_image", DataType::Binary)]),
        ];
        for (want, fields) in cases {
            let c = find_in(&schema(&fields), None).unwrap_or_else(|e| panic!("{want}: {e}"));
            assert_eq!(c.layout, want);
        }
        // InstructPix2Pix as some copies name its source.
        let s = schema(&[("input_image", DataType::Binary), ("edit_prompt", DataType::Utf8), ("edited_image", DataType::Binary)]);
        assert_eq!(find_in(&s, None).unwrap().layout, "InstructPix2Pix");
    }

    #[test]
    fn a_hub_image_struct_is_read_by_its_bytes_leaf() {
        let s = schema(&[("instruction", DataType::Utf8), ("source_img", hub_image()), ("target_img", hub_image())]);
        let c = find_in(&s, None).unwrap();
        // Leaves: instruction 0, source_img.bytes 1, .path 2, target_img.bytes 3, .path 4.
        assert_eq!(c.image_leaves, [Some(1), Some(3)]);
        assert_eq!(c.image_leaf(1), Some(1));
        assert_eq!(c.image_leaf(0), None);
        assert_eq!(c.names, ["instruction".to_string(), "source_img".into(), "target_img".into()]);
    }

    #[test]
    fn a_map_in_the_link_names_the_columns() {
        let s = schema(&[("before", DataType::Binary), ("after", DataType::Binary), ("caption", DataType::Utf8), ("id", DataType::Utf8)]);
        let err = find_in(&s, None).unwrap_err().to_string();
        assert!(err.contains("the file has: before, after, caption, id") && err.contains("map="), "{err}");
        let map = ColumnMap::parse("source:before,edited:after,instruction:caption").unwrap();
        let c = find_in(&s, Some(&map)).unwrap();
        assert_eq!((c.layout.as_str(), c.source_image, c.edited_image, c.instruction), ("map", 0, 1, 2));
        assert_eq!(c.id, None, "a string id is left out, not an error");
        // A partial map: the rest by the layouts.
        let s = schema(&[("src", DataType::Binary), (EDITED_IMAGE, DataType::Binary), (INSTRUCTION, DataType::Utf8)]);
        let c = find_in(&s, Some(&ColumnMap::parse("source:src").unwrap())).unwrap();
        assert_eq!((c.source_image, c.edited_image, c.instruction), (0, 1, 2));
        // A map naming what is not there, or what cannot be an image.
        let err = find_in(&s, Some(&ColumnMap::parse("source:nope").unwrap())).unwrap_err().to_string();
        assert!(err.contains("missing column(s) nope") && err.contains("the file has: src, edited_image, edit_instruction"), "{err}");
        let err = find_in(&s, Some(&ColumnMap::parse("edited:edit_instruction").unwrap())).unwrap_err();
        assert!(matches!(err, EngineError::ColumnType { .. }), "{err}");
    }
}
