//! A reporting module for the host's tests: `text/csv` turns a JSON array of flat objects into
//! CSV; `probe` tries to reach the network and reports what happened.

use heraut_plugin_sdk::{ReportInput, ReportOutput, Reporter, ReporterInfo, http};

struct Csv;

fn cell(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

impl Reporter for Csv {
    fn describe() -> ReporterInfo {
        ReporterInfo {
            name: "CSV".to_owned(),
            formats: vec!["text/csv".to_owned()],
        }
    }

    fn render(input: ReportInput) -> Result<ReportOutput, String> {
        if input.format == "probe" {
            return match http::get("https://example.org/").send() {
                Ok(r) => Err(format!("reached the network: {}", r.status)),
                Err(e) => Err(e.to_string()),
            };
        }
        if input.format != "text/csv" {
            return Err(format!("unknown format `{}`", input.format));
        }
        let rows: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_str(&input.data).map_err(|e| format!("data: {e}"))?;
        let Some(first) = rows.first() else {
            return Ok(ReportOutput {
                mime_type: "text/csv".to_owned(),
                bytes: Vec::new(),
            });
        };
        let columns: Vec<&String> = first.keys().collect();
        let mut out = columns
            .iter()
            .map(|c| cell(&serde_json::Value::String((*c).clone())))
            .collect::<Vec<_>>()
            .join(",");
        out.push('\n');
        for row in &rows {
            let line: Vec<String> = columns
                .iter()
                .map(|c| row.get(*c).map(cell).unwrap_or_default())
                .collect();
            out.push_str(&line.join(","));
            out.push('\n');
        }
        Ok(ReportOutput {
            mime_type: "text/csv".to_owned(),
            bytes: out.into_bytes(),
        })
    }
}

heraut_plugin_sdk::export_reporter!(Csv);
