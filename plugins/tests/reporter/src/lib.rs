//! A reporting module for the host's tests: `text/csv` writes each table the host gives it as
//! CSV (headed by its column labels, one blank line between tables); `probe` tries to reach the
//! network and reports what happened.

use heraut_plugin_sdk::{Cell, ReportInput, ReportOutput, Reporter, ReporterInfo, http};

struct Csv;

fn quoted(text: String) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn cell(c: &Cell) -> String {
    quoted(match c {
        Cell::Empty => String::new(),
        Cell::Text(t) | Cell::Url(t) => t.clone(),
        Cell::Integer(i) => i.to_string(),
        Cell::Decimal(d) => d.to_string(),
        Cell::Timestamp(ms) => ms.to_string(),
    })
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
        let mut out = String::new();
        for (t, table) in input.tables.iter().enumerate() {
            if t > 0 {
                out.push('\n');
            }
            let labels: Vec<String> = table
                .columns
                .iter()
                .map(|c| quoted(c.label.clone()))
                .collect();
            out.push_str(&labels.join(","));
            out.push('\n');
            for (r, row) in table.rows.iter().enumerate() {
                if row.len() != table.columns.len() {
                    return Err(format!(
                        "row {} of `{}` has {} cells for {} columns",
                        r + 1,
                        table.title,
                        row.len(),
                        table.columns.len()
                    ));
                }
                let line: Vec<String> = row.iter().map(cell).collect();
                out.push_str(&line.join(","));
                out.push('\n');
            }
        }
        Ok(ReportOutput {
            mime_type: "text/csv".to_owned(),
            bytes: out.into_bytes(),
        })
    }
}

heraut_plugin_sdk::export_reporter!(Csv);
