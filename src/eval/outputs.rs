//! Where an eval run may write its reports: never over one of its own inputs. The reports file is
//! emptied and rewritten after the run, so naming the labels, the floors, a profile file or one
//! of the photos there by mistake would destroy it.

use std::path::{Path, PathBuf};

/// Where a path leads, found without opening it (a FIFO named as a photo would block an open).
#[derive(Debug, PartialEq)]
enum Place {
    /// An existing file, by identity: links and other spellings of its path lead to it too.
    #[cfg(unix)]
    File { device: u64, inode: u64 },
    /// A file by its absolute path, or one that does not exist yet by where it would be made.
    Path(PathBuf),
}

fn place(path: &Path) -> Option<Place> {
    match std::fs::metadata(path) {
        #[cfg(unix)]
        Ok(meta) => {
            use std::os::unix::fs::MetadataExt;
            Some(Place::File {
                device: meta.dev(),
                inode: meta.ino(),
            })
        }
        #[cfg(not(unix))]
        Ok(_) => path.canonicalize().ok().map(Place::Path),
        Err(_) => {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let folder = parent.canonicalize().ok()?;
            Some(Place::Path(folder.join(path.file_name()?)))
        }
    }
}

/// The input that `reports` would overwrite, if any: one of `inputs`, or a photo the labels
/// list (even one that is not there yet, which the reports file would then stand in for).
pub fn input_at(
    reports: &Path,
    inputs: &[&Path],
    photos: impl IntoIterator<Item = PathBuf>,
) -> Option<PathBuf> {
    let target = place(reports)?;
    let named = inputs.iter().map(|path| path.to_path_buf());
    named
        .chain(photos)
        .find(|input| place(input).as_ref() == Some(&target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("idphoto-outputs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn an_input_is_found_however_its_path_is_spelt() {
        let dir = scratch("spelt");
        let labels = dir.join("labels.csv");
        std::fs::write(&labels, "file\n").unwrap();
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        let detour = dir.join("sub/../labels.csv");
        assert_eq!(input_at(&detour, &[&labels], []), Some(labels.clone()));
        #[cfg(unix)]
        {
            let link = dir.join("link.csv");
            std::os::unix::fs::symlink(&labels, &link).unwrap();
            assert_eq!(input_at(&link, &[&labels], []), Some(labels.clone()));
        }
        let other = dir.join("reports.jsonl");
        assert_eq!(input_at(&other, &[&labels], []), None);
        std::fs::write(&other, "").unwrap();
        assert_eq!(input_at(&other, &[&labels], []), None);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_listed_photo_that_is_missing_is_not_written_over_either() {
        let dir = scratch("missing");
        let photo = dir.join("gone.jpg");
        let spelt_otherwise = dir.join(".").join("gone.jpg");
        assert_eq!(
            input_at(&spelt_otherwise, &[], [photo.clone()]),
            Some(photo.clone())
        );
        assert_eq!(input_at(&dir.join("kept.jpg"), &[], [photo]), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
