//! The two HTML pages of the feature API: the landing page a browser gets at `/` (links to the
//! map viewer and the machine-readable resources) and `/api?f=html`, a readable list of the
//! endpoints drawn from the OpenAPI document itself.

use serde_json::Value;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:56rem;\
         margin:2rem auto;padding:0 1rem;line-height:1.5}}code{{background:#f3f3f3;padding:0 .2em}}\
         td,th{{text-align:left;vertical-align:top;padding:.2rem .6rem}}</style>\n</head>\n\
         <body>\n{body}\n</body>\n</html>\n",
        escape(title)
    )
}

/// `/api?f=html`: each path and operation of the OpenAPI document, with its parameters.
pub fn api_doc(doc: &Value) -> String {
    let mut rows = String::new();
    let parameters = doc.pointer("/components/parameters");
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let Some(ops) = item.as_object() else {
                continue;
            };
            for (method, op) in ops {
                let summary = op.get("summary").and_then(Value::as_str).unwrap_or("");
                let names: Vec<String> = op
                    .get("parameters")
                    .and_then(Value::as_array)
                    .map(|list| {
                        list.iter()
                            .filter_map(|p| parameter_name(p, parameters))
                            .collect()
                    })
                    .unwrap_or_default();
                rows.push_str(&format!(
                    "<tr><td><code>{} {}</code></td><td>{}</td><td>{}</td></tr>\n",
                    escape(&method.to_uppercase()),
                    escape(path),
                    escape(summary),
                    escape(&names.join(", "))
                ));
            }
        }
    }
    let title = doc
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or("API");
    let body = format!(
        "<h1>{}</h1>\n<p>The machine-readable definition is <a href=\"?f=json\">the OpenAPI 3.0 \
         document</a>.</p>\n<table>\n<tr><th>endpoint</th><th>what</th><th>parameters</th></tr>\n\
         {rows}</table>",
        escape(title)
    );
    page(title, &body)
}

/// A parameter's name, following a `$ref` into the document's components.
fn parameter_name(p: &Value, components: Option<&Value>) -> Option<String> {
    if let Some(name) = p.get("name").and_then(Value::as_str) {
        return Some(name.to_string());
    }
    let key = p
        .get("$ref")?
        .as_str()?
        .strip_prefix("#/components/parameters/")?;
    components?
        .get(key)?
        .get("name")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
