//! The local stack loads Shenzhen's districts and streets with their official codes.

use aws_sdk_dynamodb::types::AttributeValue;
use e2e_tests::stack;

#[tokio::test]
async fn all_74_streets_of_the_10_areas_are_loaded() {
    let ctx = stack().context();
    let mut streets = Vec::new();
    let mut start = None;
    loop {
        let page = ctx
            .db
            .client
            .query()
            .table_name(&ctx.config.tables.address)
            .key_condition_expression("pk = :pk")
            .expression_attribute_values(":pk", AttributeValue::S("STREETS".into()))
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        streets.extend(page.items().iter().cloned());
        start = page.last_evaluated_key;
        if start.is_none() {
            break;
        }
    }
    assert_eq!(streets.len(), 74);
    let field = |item: &std::collections::HashMap<String, AttributeValue>, name: &str| {
        item[name].as_s().unwrap().clone()
    };
    let areas: std::collections::BTreeSet<String> =
        streets.iter().map(|s| field(s, "area_name")).collect();
    assert_eq!(areas.len(), 10);
    let dapeng: Vec<String> = streets
        .iter()
        .filter(|s| field(s, "area_name") == "大鹏新区")
        .map(|s| field(s, "street_code"))
        .collect();
    assert_eq!(dapeng, ["440307009", "440307010", "440307011"]);
}
