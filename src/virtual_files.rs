//! The virtual files the resolve stage makes and the Typst world serves:
//! the report data and the prepared images, by their paths inside the
//! world. Below both, so that resolving never reaches up into the world.

use typst::syntax::{FileId, RootedPath, VirtualPath, VirtualRoot};

/// The virtual path of the report data inside the world.
pub const DATA_PATH: &str = "/.csr-press/data.json";

/// The virtual folder of prepared figure images inside the world.
pub const IMAGES_DIR: &str = "/.csr-press/images";

/// Creates the id of a project file from a rooted virtual path.
pub fn project_file(path: &str) -> FileId {
    let vpath = VirtualPath::new(path).unwrap_or_else(|_| VirtualPath::new("/invalid").expect("valid literal path"));
    RootedPath::new(VirtualRoot::Project, vpath).intern()
}
