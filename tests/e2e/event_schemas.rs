//! Every event the end-to-end tests' consumers received is valid by its schema in
//! `docs/events/`. `make test` runs this after the whole suite, with `EVENT_RECORD_DIR` holding
//! what each test process's consumers received (tests/src/events.rs) and `EVENT_SCHEMAS_EXACT`
//! set: then every type and view a consumer receives must have been seen at least once.

use std::collections::BTreeSet;

use e2e_tests::events::{EVENT_RECORD_DIR, schema_errors};
use serde_json::Value;

#[test]
fn every_delivered_event_is_valid_by_its_schema() {
    let Some(dir) = std::env::var_os(EVENT_RECORD_DIR) else {
        eprintln!("{EVENT_RECORD_DIR} is not set: nothing recorded to check (make test sets it)");
        return;
    };
    let mut seen = BTreeSet::new();
    let mut invalid = Vec::new();
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).expect("the record directory") {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines() {
            let record: Value = serde_json::from_str(line).expect("a recorded line is JSON");
            let event = &record["event"];
            count += 1;
            let errors = schema_errors(event);
            if !errors.is_empty() {
                invalid.push(format!("{}: {errors:?}", event["id"]));
            }
            seen.insert((
                event["type"].as_str().unwrap_or("").to_owned(),
                event["view"].as_str().unwrap_or("").to_owned(),
            ));
        }
    }
    assert!(
        invalid.is_empty(),
        "{} of {count} invalid: {invalid:#?}",
        invalid.len()
    );
    if std::env::var_os("EVENT_SCHEMAS_EXACT").is_some() {
        let expected: BTreeSet<(String, String)> = shared::events::consumers::routes()
            .iter()
            .flat_map(|r| &r.receives)
            .map(|(t, v)| (t.wire_name(), v.as_ref().to_owned()))
            .collect();
        let missing: Vec<_> = expected.difference(&seen).collect();
        assert!(
            missing.is_empty(),
            "never delivered in the suite: {missing:#?}"
        );
        eprintln!("{count} events checked, {} types and views", seen.len());
    }
}
