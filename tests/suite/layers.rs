//! The module layering, checked on the source: data flows one way (the order written once, in
//! `docs/architecture.md`), so no module may use one after it in that order, siblings on one
//! line may not use each other, and no two files may depend on each other in a cycle.
//!
//! The check reads every file under `src/` (but `main.rs`, the binary), strips comments and
//! string literals, and collects every path that starts with `crate::`, `super::` or `self::`
//! (in `use` declarations, braces expanded, and in code). Each path is resolved to the file that
//! defines the item, following `pub use` re-exports, so a facade module that re-exports its
//! children is not a dependency of theirs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// A module path such as `["zone", "distance", "table"]`; the crate root is `[]`.
type ModPath = Vec<String>;

struct SourceFile {
    module: ModPath,
    path: PathBuf,
    /// Code with comments and string literals blanked out.
    code: String,
}

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read_files() -> Vec<SourceFile> {
    let mut out = Vec::new();
    let mut stack = vec![src_dir()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = path.strip_prefix(src_dir()).unwrap().to_path_buf();
            if rel == Path::new("main.rs") {
                continue;
            }
            let mut module: ModPath = rel
                .with_extension("")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            out.push(SourceFile {
                module,
                path: rel,
                code: strip(&text),
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// Blanks comments, string and char literals (keeping newlines), so only code remains.
fn strip(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    if b[i] == '\n' {
                        out.push('\n');
                    }
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident_char(b.get(i.wrapping_sub(1)).copied())
        {
            // A raw string: r"…" or r#"…"#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                match b.get(j) {
                    None => break,
                    Some('"') if (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) => {
                        j += 1 + hashes;
                        break;
                    }
                    Some('\n') => out.push('\n'),
                    _ => {}
                }
                j += 1;
            }
            out.push_str("\"\"");
            i = j;
        } else if c == '"' {
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    i += 1;
                }
                if b.get(i) == Some(&'\n') {
                    out.push('\n');
                }
                i += 1;
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('a', '\n', '\u{..}') or a lifetime ('a): blank only literals.
            let close = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(k) => {
                    out.push_str("' '");
                    i = k + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || c == '_')
}

/// One path found in a file: where it was (inline module depth matters for `super`), whether
/// it is a `pub use` re-export, and its segments.
#[derive(Debug, Clone)]
struct Reference {
    segments: Vec<String>,
    /// How many inline `mod x { … }` blocks enclose it.
    depth: usize,
    /// A `pub use` (or `pub(crate) use`) at the file's top level: a re-export.
    reexport: bool,
    line: usize,
}

/// Every `crate::`/`super::`/`self::` path in a file, `use` trees expanded.
fn references(code: &str) -> Vec<Reference> {
    let chars: Vec<char> = code.chars().collect();
    let mut refs = Vec::new();
    let mut i = 0;
    let mut line = 1;
    // Brace depth at which each enclosing inline module opened.
    let mut inline_mods: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let word_at = |i: usize| -> String {
        let mut j = i;
        while j < chars.len() && ident_char(Some(chars[j])) {
            j += 1;
        }
        chars[i..j].iter().collect()
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '\n' {
            line += 1;
        }
        if c == '{' {
            depth += 1;
            i += 1;
            continue;
        }
        if c == '}' {
            if inline_mods.last() == Some(&depth) {
                inline_mods.pop();
            }
            depth = depth.saturating_sub(1);
            i += 1;
            continue;
        }
        if !ident_char(Some(c)) || ident_char(if i == 0 { None } else { Some(chars[i - 1]) }) {
            i += 1;
            continue;
        }
        let word = word_at(i);
        if word == "mod" {
            // `mod name {` opens an inline module; `mod name;` declares a file.
            let mut j = i + 3;
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            let name = word_at(j);
            j += name.len();
            while j < chars.len() && chars[j].is_whitespace() {
                j += 1;
            }
            if chars.get(j) == Some(&'{') {
                inline_mods.push(depth + 1);
            }
            i += 3;
            continue;
        }
        if word == "use" {
            // The whole use tree, up to its `;`.
            let start = i + 3;
            let end = (start..chars.len())
                .find(|&k| chars[k] == ';')
                .unwrap_or(chars.len());
            let tree: String = chars[start..end].iter().collect();
            let before: String = chars[i.saturating_sub(12)..i].iter().collect();
            let reexport = inline_mods.is_empty()
                && (before.trim_end().ends_with("pub") || before.trim_end().ends_with(')'));
            for path in expand(&tree) {
                refs.push(Reference {
                    segments: path,
                    depth: inline_mods.len(),
                    reexport,
                    line,
                });
            }
            line += tree.matches('\n').count();
            i = end;
            continue;
        }
        if chars.get(i + word.len()) == Some(&':') && chars.get(i + word.len() + 1) == Some(&':') {
            let mut segments = Vec::new();
            let mut j = i;
            loop {
                let w = word_at(j);
                if w.is_empty() {
                    break;
                }
                segments.push(w.clone());
                j += w.len();
                if chars.get(j) == Some(&':') && chars.get(j + 1) == Some(&':') {
                    j += 2;
                } else {
                    break;
                }
            }
            refs.push(Reference {
                segments,
                depth: inline_mods.len(),
                reexport: false,
                line,
            });
            i = j;
            continue;
        }
        i += word.len();
    }
    refs
}

/// Expands a use tree (`crate::a::{b, c::{d, e as f}}`) into its paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    fn walk(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) {
        let s = s.trim();
        if s.is_empty() {
            return;
        }
        if let Some(open) = s.find('{') {
            let head: Vec<String> = s[..open]
                .split("::")
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect();
            let inner = &s[open + 1..s.rfind('}').unwrap_or(s.len())];
            let mut base = prefix.to_vec();
            base.extend(head);
            // Split on top-level commas.
            let (mut level, mut last) = (0, 0);
            for (k, ch) in inner.char_indices() {
                match ch {
                    '{' => level += 1,
                    '}' => level -= 1,
                    ',' if level == 0 => {
                        walk(&inner[last..k], &base, out);
                        last = k + 1;
                    }
                    _ => {}
                }
            }
            walk(&inner[last..], &base, out);
        } else {
            let path = s.split(" as ").next().unwrap_or(s);
            let mut full = prefix.to_vec();
            full.extend(
                path.split("::")
                    .map(str::trim)
                    .filter(|p| !p.is_empty())
                    .map(str::to_string),
            );
            out.push(full);
        }
    }
    let mut out = Vec::new();
    walk(tree, &[], &mut out);
    out
}

/// The source tree: which module paths are files, and each file's re-exports.
struct Tree {
    files: BTreeMap<ModPath, usize>,
    /// (module, name) → the absolute path it re-exports.
    reexports: BTreeMap<(ModPath, String), Vec<String>>,
}

impl Tree {
    fn new(files: &[SourceFile]) -> Tree {
        let mut tree = Tree {
            files: files
                .iter()
                .enumerate()
                .map(|(i, f)| (f.module.clone(), i))
                .collect(),
            reexports: BTreeMap::new(),
        };
        for f in files {
            for r in references(&f.code).into_iter().filter(|r| r.reexport) {
                if let Some(abs) = absolute_in(&tree, &f.module, &r) {
                    if let Some(name) = abs.last() {
                        if name != "self" && name != "*" {
                            tree.reexports.insert((f.module.clone(), name.clone()), abs);
                        }
                    }
                }
            }
        }
        tree
    }

    /// The file defining what an absolute path names: the longest module prefix that is a
    /// file, then through that file's re-export of the next segment, if it has one.
    fn resolve(&self, path: &[String], hops: usize) -> Option<usize> {
        let mut module: ModPath = Vec::new();
        let mut file = self.files.get(&module).copied();
        for segment in path {
            let mut next = module.clone();
            next.push(segment.clone());
            if let Some(&f) = self.files.get(&next) {
                module = next;
                file = Some(f);
                continue;
            }
            if hops < 8 {
                if let Some(target) = self.reexports.get(&(module.clone(), segment.clone())) {
                    if target.as_slice() != path {
                        return self.resolve(target, hops + 1);
                    }
                }
            }
            break;
        }
        file
    }
}

/// The absolute path (from the crate root, without `crate`) of a reference in `module`:
/// `crate::…`, `super::…`, `self::…`, or a path starting with one of the file's own child
/// modules (`read::read_folder` in `geodata/mod.rs`); None for other crates' paths.
fn absolute_in(tree: &Tree, module: &ModPath, r: &Reference) -> Option<Vec<String>> {
    let first = r.segments.first()?;
    if !matches!(first.as_str(), "crate" | "super" | "self") && r.depth == 0 {
        let mut child = module.clone();
        child.push(first.clone());
        if tree.files.contains_key(&child) {
            let mut full = module.clone();
            full.extend(r.segments.iter().cloned());
            return Some(full);
        }
        return None;
    }
    absolute(module, r)
}

/// The absolute path of a `crate::`, `super::` or `self::` reference in `module`.
fn absolute(module: &ModPath, r: &Reference) -> Option<Vec<String>> {
    let mut segs = r.segments.iter().peekable();
    match segs.peek().map(|s| s.as_str()) {
        Some("crate") => {
            segs.next();
            Some(segs.cloned().collect())
        }
        Some("super") | Some("self") => {
            let mut base = module.clone();
            // Inside inline modules, the first `super`s climb out of them, not of the file.
            let mut inline = r.depth;
            while let Some(s) = segs.peek() {
                match s.as_str() {
                    "super" => {
                        if inline > 0 {
                            inline -= 1;
                        } else {
                            base.pop()?;
                        }
                        segs.next();
                    }
                    "self" => {
                        segs.next();
                    }
                    _ => break,
                }
            }
            if inline > 0 {
                // Still inside an inline module of this file: it names this file's items.
                return Some(module.clone());
            }
            base.extend(segs.cloned());
            Some(base)
        }
        _ => None,
    }
}

/// The layers of `docs/architecture.md`'s ```layers block: one line per layer, siblings on
/// one line, first to last.
fn layers() -> Vec<Vec<String>> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/architecture.md"))
            .expect("docs/architecture.md");
    let block = doc
        .split("```layers")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/architecture.md has a ```layers block");
    block
        .lines()
        .map(|l| {
            l.split_whitespace()
                .filter(|w| *w != "|")
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .filter(|l| !l.is_empty())
        .collect()
}

struct Graph {
    files: Vec<SourceFile>,
    /// file → files it depends on, with the line of the first reference.
    edges: BTreeMap<usize, BTreeMap<usize, usize>>,
}

fn graph() -> Graph {
    let files = read_files();
    let tree = Tree::new(&files);
    let mut edges: BTreeMap<usize, BTreeMap<usize, usize>> = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        for r in references(&f.code) {
            let Some(abs) = absolute_in(&tree, &f.module, &r) else {
                continue;
            };
            if let Some(target) = tree.resolve(&abs, 0) {
                if target != i {
                    edges.entry(i).or_default().entry(target).or_insert(r.line);
                }
            }
        }
    }
    Graph { files, edges }
}

#[test]
fn no_module_uses_one_after_it_in_the_layer_order() {
    let layers = layers();
    let rank = |top: &str| layers.iter().position(|l| l.iter().any(|m| m == top));
    let g = graph();
    let mut wrong = Vec::new();
    for f in &g.files {
        if let Some(top) = f.module.first() {
            assert!(
                rank(top).is_some(),
                "module `{top}` ({}) is missing from docs/architecture.md's layers",
                f.path.display()
            );
        }
    }
    for (&from, targets) in &g.edges {
        let (a, from_top) = (&g.files[from], g.files[from].module.first());
        for (&to, &line) in targets {
            let b = &g.files[to];
            let (Some(x), Some(y)) = (from_top, b.module.first()) else {
                continue;
            };
            if x == y {
                continue;
            }
            let (rx, ry) = (rank(x).unwrap_or(usize::MAX), rank(y).unwrap_or(usize::MAX));
            if ry >= rx {
                wrong.push(format!(
                    "src/{}:{line}: `{x}` uses `{y}` (src/{}), which is {} it",
                    a.path.display(),
                    b.path.display(),
                    if ry == rx { "a sibling of" } else { "after" }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layer order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn no_files_depend_on_each_other_in_a_cycle() {
    let g = graph();
    // Tarjan's strongly connected components.
    struct State<'a> {
        g: &'a Graph,
        index: usize,
        indices: BTreeMap<usize, usize>,
        low: BTreeMap<usize, usize>,
        stack: Vec<usize>,
        on_stack: BTreeSet<usize>,
        cycles: Vec<Vec<usize>>,
    }
    fn visit(s: &mut State, v: usize) {
        s.indices.insert(v, s.index);
        s.low.insert(v, s.index);
        s.index += 1;
        s.stack.push(v);
        s.on_stack.insert(v);
        let next: Vec<usize> =
            s.g.edges
                .get(&v)
                .map(|e| e.keys().copied().collect())
                .unwrap_or_default();
        for w in next {
            if !s.indices.contains_key(&w) {
                visit(s, w);
                let lw = s.low[&w];
                let lv = s.low.get_mut(&v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(&w) {
                let iw = s.indices[&w];
                let lv = s.low.get_mut(&v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[&v] == s.indices[&v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                s.on_stack.remove(&w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                s.cycles.push(component);
            }
        }
    }
    let mut s = State {
        g: &g,
        index: 0,
        indices: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        cycles: Vec::new(),
    };
    for v in 0..g.files.len() {
        if !s.indices.contains_key(&v) {
            visit(&mut s, v);
        }
    }
    let report: Vec<String> = s
        .cycles
        .iter()
        .map(|c| {
            let members: BTreeSet<usize> = c.iter().copied().collect();
            let mut lines = Vec::new();
            for &a in &members {
                for (&b, &line) in g.edges.get(&a).into_iter().flatten() {
                    if members.contains(&b) {
                        lines.push(format!(
                            "  src/{}:{line} → src/{}",
                            g.files[a].path.display(),
                            g.files[b].path.display()
                        ));
                    }
                }
            }
            format!("a cycle of {} files:\n{}", members.len(), lines.join("\n"))
        })
        .collect();
    assert!(report.is_empty(), "{}", report.join("\n"));
}

#[test]
fn the_checker_sees_what_it_must() {
    // Comments and strings are not code; use trees expand; inline test modules' `super` is
    // the file itself.
    let code = strip("// use crate::http;\nlet s = \"crate::server\";\nuse crate::{zone::{Zone, cell::ZoneCell as C}, tiles};\nmod tests { use super::*; }\n");
    let refs = references(&code);
    let paths: Vec<String> = refs
        .iter()
        .map(|r| r.segments.join("::"))
        .filter(|p| p.starts_with("crate") || p.starts_with("super"))
        .collect();
    assert_eq!(
        paths,
        [
            "crate::zone::Zone",
            "crate::zone::cell::ZoneCell",
            "crate::tiles",
            "super::*"
        ]
    );
    let module = vec!["a".to_string(), "b".to_string()];
    // `super::*` in the file's own test module names the file's items.
    assert_eq!(
        absolute(&module, &refs[3]).map(|p| p[..2].to_vec()),
        Some(module.clone())
    );
}
