//! The columns a gallery reads from a shard, found by name in the file's schema and
//! checked for type. Images and the instruction are required; the task, sizes and
//! scores are shown when present.

use arrow_schema::{DataType, Schema};
use parquet::file::metadata::ParquetMetaData;
use serde::{Deserialize, Serialize};

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

/// Root column indices of the gallery's columns in one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Columns {
    pub instruction: usize,
    pub source_image: usize,
    pub edited_image: usize,
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
        v
    }

    pub fn images(&self) -> Vec<usize> {
        let mut v = vec![self.source_image, self.edited_image];
        v.sort_unstable();
        v
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

/// The Arrow schema of a file as the reader will decode it.
pub fn arrow_schema(file: &str, metadata: &ParquetMetaData) -> EngineResult<Schema> {
    let fm = metadata.file_metadata();
    parquet::arrow::parquet_to_arrow_schema(fm.schema_descr(), fm.key_value_metadata())
        .map_err(|e| EngineError::Corrupt { file: file.into(), detail: format!("unreadable schema: {e}") })
}

/// Find and type-check the gallery's columns.
pub fn find(file: &str, schema: &Schema) -> EngineResult<Columns> {
    let found: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
    let lookup = |name: &str, ok: fn(&DataType) -> bool, expected: &str| -> EngineResult<Option<usize>> {
        match schema.index_of(name) {
            Err(_) => Ok(None),
            Ok(i) if ok(schema.field(i).data_type()) => Ok(Some(i)),
            Ok(i) => Err(EngineError::ColumnType {
                file: file.into(),
                column: name.into(),
                expected: expected.into(),
                found: schema.field(i).data_type().to_string(),
            }),
        }
    };
    let instruction = lookup(INSTRUCTION, is_string, "string")?;
    let source_image = lookup(SOURCE_IMAGE, is_binary, "binary")?;
    let edited_image = lookup(EDITED_IMAGE, is_binary, "binary")?;
    let missing: Vec<String> = [(INSTRUCTION, instruction), (SOURCE_IMAGE, source_image), (EDITED_IMAGE, edited_image)]
        .iter()
        .filter(|(_, i)| i.is_none())
        .map(|(n, _)| n.to_string())
        .collect();
    let (Some(instruction), Some(source_image), Some(edited_image)) = (instruction, source_image, edited_image) else {
        return Err(EngineError::MissingColumns { file: file.into(), missing, found });
    };
    let int = |n| lookup(n, is_integer, "integer");
    Ok(Columns {
        instruction,
        source_image,
        edited_image,
        id: int(ID)?,
        task: lookup(TASK, is_string, "string")?,
        sizes: [int(SOURCE_WIDTH)?, int(SOURCE_HEIGHT)?, int(EDITED_WIDTH)?, int(EDITED_HEIGHT)?],
        scores: [int(SCORE_IF)?, int(SCORE_EC)?, int(SCORE_GQ)?],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_schema::Field;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(fields.iter().map(|(n, t)| Field::new(*n, t.clone(), true)).collect::<Vec<_>>())
    }

    #[test]
    fn missing_columns_are_named_with_what_the_file_has() {
        let err = find("x.parquet", &schema(&[("a", DataType::Int64), (SOURCE_IMAGE, DataType::Binary)])).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("x.parquet"), "{msg}");
        assert!(msg.contains("edit_instruction") && msg.contains("edited_image"), "{msg}");
        assert!(msg.contains("the file has: a, source_image"), "{msg}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let s = schema(&[(INSTRUCTION, DataType::Utf8), (SOURCE_IMAGE, DataType::Int64), (EDITED_IMAGE, DataType::Binary)]);
        let err = find("y", &s).unwrap_err();
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
        let c = find("z", &s).unwrap();
        assert_eq!(c.id, Some(0));
        assert_eq!(c.scores, [None, Some(4), None]);
        assert_eq!(c.small(), vec![0, 1, 4]);
        assert_eq!(c.images(), vec![2, 3]);
    }
}
