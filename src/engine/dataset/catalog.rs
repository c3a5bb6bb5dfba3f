//! The catalog of ScaleEdit-12M task families: the 23 folders in their published order.
//! It names families; it never decides which of them hold data (the manifest does).

/// One task family of ScaleEdit-12M, e.g. `2.1_object_addition`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FamilyDef {
    /// Category number as written in the folder name, e.g. `2.1`.
    pub id: &'static str,
    /// Task name as written in the folder and file names, e.g. `object_addition`.
    pub task: &'static str,
    /// The group the category number stands for, e.g. `object`.
    pub group: &'static str,
}

impl FamilyDef {
    /// Folder name on the Hub: `{id}_{task}`.
    pub fn folder(&self) -> String {
        format!("{}_{}", self.id, self.task)
    }

    /// Relative path of shard `n` of this family: `{id}_{task}/{task}_{NNNN}.parquet`.
    pub fn shard_path(&self, n: u32) -> String {
        format!("{}/{}_{:04}.parquet", self.folder(), self.task, n)
    }

    /// Human label: the task name with spaces and a capital, e.g. `Object addition`.
    pub fn label(&self) -> String {
        let spaced = self.task.replace('_', " ");
        let mut chars = spaced.chars();
        match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        }
    }
}

const fn fam(id: &'static str, task: &'static str, group: &'static str) -> FamilyDef {
    FamilyDef { id, task, group }
}

/// All 23 families in catalog order (1.1 … 6.1).
pub const FAMILIES: [FamilyDef; 23] = [
    fam("1.1", "style_transfer", "global"),
    fam("1.2", "tone_adjustment", "global"),
    fam("1.3", "viewpoint_transformation", "global"),
    fam("1.4", "background_replacement", "global"),
    fam("2.1", "object_addition", "object"),
    fam("2.2", "object_removal", "object"),
    fam("2.3", "object_replacement", "object"),
    fam("2.4", "action_editing", "object"),
    fam("2.5", "part_extraction", "object"),
    fam("3.1", "color_change", "attribute"),
    fam("3.2", "material_change", "attribute"),
    fam("3.3", "visual_beautification", "attribute"),
    fam("3.4", "count_change", "attribute"),
    fam("3.5", "size_change", "attribute"),
    fam("4.1", "movie_poster_text_editing", "text"),
    fam("4.2", "gui_interface_text_editing", "text"),
    fam("4.3", "object_surface_text_editing", "text"),
    fam("4.4", "building_surface_text_editing", "text"),
    fam("5.1", "perceptual_reasoning", "knowledge"),
    fam("5.2", "symbolic_reasoning", "knowledge"),
    fam("5.3", "social_reasoning", "knowledge"),
    fam("5.4", "scientific_reasoning", "knowledge"),
    fam("6.1", "compositional_editing", "compositional"),
];

/// The family whose task name is `task` (as stored in the `edit_task` column or a folder).
pub fn family_by_task(task: &str) -> Option<&'static FamilyDef> {
    FAMILIES.iter().find(|f| f.task == task)
}

/// The family whose folder is `folder`, e.g. `2.1_object_addition`.
pub fn family_by_folder(folder: &str) -> Option<&'static FamilyDef> {
    FAMILIES.iter().find(|f| f.folder() == folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_path_follows_hub_layout() {
        let f = family_by_task("object_addition").unwrap();
        assert_eq!(f.shard_path(0), "2.1_object_addition/object_addition_0000.parquet");
        assert_eq!(f.label(), "Object addition");
    }

    #[test]
    fn catalog_has_23_distinct_families_in_order() {
        let mut ids: Vec<_> = FAMILIES.iter().map(|f| f.id).collect();
        let before = ids.clone();
        ids.sort_by(|a, b| {
            let p = |s: &str| s.split('.').map(|x| x.parse::<u32>().unwrap()).collect::<Vec<_>>();
            p(a).cmp(&p(b))
        });
        ids.dedup();
        assert_eq!(ids, before);
        assert_eq!(ids.len(), 23);
    }
}
