//! The examples in the docs are real: every JSON block in docs/FORMATS.md parses, every signed
//! one verifies, and the TOML trust-roots example parses.

fn blocks(doc: &str, lang: &str) -> Vec<String> {
    let fence = format!("```{lang}\n");
    doc.split(&fence)
        .skip(1)
        .map(|rest| rest.split("\n```").next().unwrap_or("").to_string())
        .collect()
}

#[test]
fn formats_examples_parse_and_signed_ones_verify() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/FORMATS.md")).unwrap();
    let json = blocks(&doc, "json");
    assert!(json.len() >= 2, "FORMATS.md lost its JSON examples");
    let mut signed = 0;
    for block in &json {
        let value: serde_json::Value = serde_json::from_str(block)
            .unwrap_or_else(|e| panic!("example does not parse: {e}\n{block}"));
        if value.get("proof").is_some() {
            honors::credential::verify(&value)
                .unwrap_or_else(|e| panic!("example does not verify: {e}"));
            if value["type"][1] == "BitstringStatusListCredential" {
                honors::status::read_list_credential(&value)
                    .expect("example is a status list honors reads");
            } else {
                honors::statement::from_json(&value).expect("example is a statement honors parses");
            }
            signed += 1;
        }
    }
    assert!(signed >= 1, "FORMATS.md has no signed example");
    for block in blocks(&doc, "toml") {
        honors::trust::TrustRoots::parse(&block).expect("trust-roots example parses");
    }
    let entry = blocks(&doc, "text")
        .into_iter()
        .find(|b| b.starts_with("honors-entry/v1"))
        .expect("entry example");
    assert!(entry.contains("\nindex 42\ntime 2026-11-23T09:15:23.123456Z\n\n"));
    let checkpoint = blocks(&doc, "text")
        .into_iter()
        .find(|b| b.starts_with("demo.honors.example"))
        .expect("checkpoint example");
    let note = format!("{checkpoint}\n");
    let vkey = "demo.honors.example/registry+3637d4b2+AU/HkibpBaMxwhVabDy+0/JVga7M8sInBgEaMvW/LKYI";
    let verifier = honors::tlog::NoteVerifier::from_vkey(vkey).unwrap();
    let (cp, _) = honors::tlog::open_checkpoint(note.as_bytes(), &[verifier])
        .expect("checkpoint example verifies with the documented key");
    assert_eq!(cp.size, 204);
}
