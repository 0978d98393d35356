//! Address search (F11): districts, buildings by name or code, houses by room; pagination,
//! validation and the per-client rate limit of the public routes.

use e2e_tests::houses::{seed_building, unique_name_part};
use e2e_tests::{Answer, Client, fixtures, stack, start};
use reqwest::Method;
use serde_json::Value;

async fn get(client: &Client, path: &str) -> Answer {
    client.send(Method::GET, path, None, None).await
}

fn names(answer: &Answer) -> Vec<String> {
    answer.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|b| b["name"].as_str().unwrap().to_owned())
        .collect()
}

/// Follows `next_cursor` from `path` (which already has a query string) to the end.
async fn walk(client: &Client, path: &str) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut pages = 0;
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            None => path.to_owned(),
            Some(c) => format!("{path}&cursor={c}"),
        };
        let answer = get(client, &url).await;
        assert_eq!(answer.status, 200, "{url}: {:#}", answer.body);
        pages += 1;
        items.extend(answer.body["items"].as_array().unwrap().iter().cloned());
        match answer.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (items, pages),
        }
        assert!(pages < 100, "pagination ends");
    }
}

#[tokio::test]
async fn districts_list_ten_areas_with_their_74_streets() {
    let client = Client::new(stack());
    let answer = get(&client, "/v1/districts").await;
    assert_eq!(answer.status, 200, "{:#}", answer.body);
    let items = answer.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 10);
    assert!(answer.body["next_cursor"].is_null());
    let streets: usize = items
        .iter()
        .map(|d| d["streets"].as_array().unwrap().len())
        .sum();
    assert_eq!(streets, 74);
    let dapeng = items.iter().find(|d| d["name"] == "大鹏新区").unwrap();
    assert_eq!(dapeng["code"], "440307-DP");
    assert_eq!(dapeng["division_code"], "440307");
    let codes: Vec<&str> = dapeng["streets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["440307009", "440307010", "440307011"]);
    let longgang = items.iter().find(|d| d["name"] == "龙岗区").unwrap();
    assert_eq!(longgang["code"], "440307");
    assert_eq!(longgang["streets"].as_array().unwrap().len(), 11);
    let futian = items.iter().find(|d| d["code"] == "440304").unwrap();
    assert_eq!(futian["name"], "福田区");
    assert_eq!(futian["streets"][0]["name"], "南园街道");

    // The same list, three at a time.
    let (paged, pages) = walk(&client, "/v1/districts?limit=3").await;
    assert_eq!(pages, 4);
    assert_eq!(&paged, items);
}

#[tokio::test]
async fn buildings_are_found_by_part_of_their_name() {
    let stack = stack();
    let client = Client::new(stack);
    let part = unique_name_part();
    let street = "440304001";
    for name in [
        format!("{part}花园 1栋"),
        format!("{part}花园 2栋"),
        format!("{part}大厦"),
    ] {
        seed_building(stack, street, &name, &["101"]).await;
    }
    // Elsewhere in the city: not found in this street.
    seed_building(stack, "440304002", &format!("{part}花园 9栋"), &["101"]).await;

    let found = get(&client, &format!("/v1/buildings?street={street}&q={part}")).await;
    assert_eq!(found.status, 200, "{:#}", found.body);
    let mut got = names(&found);
    got.sort();
    assert_eq!(
        got,
        [
            format!("{part}大厦"),
            format!("{part}花园 1栋"),
            format!("{part}花园 2栋")
        ]
    );
    let building = &found.body["items"][0];
    for field in [
        "building_id",
        "building_code",
        "name",
        "address",
        "street_code",
    ] {
        assert!(building[field].is_string(), "{field} in {building:#}");
    }
    assert_eq!(building["street_code"], street);

    // Any part of the name, spacing ignored; with the district named too.
    let q = format!("{}花园2", part.chars().last().unwrap());
    let found = get(
        &client,
        &format!("/v1/buildings?district=440304&street={street}&q={q}"),
    )
    .await;
    assert_eq!(names(&found), [format!("{part}花园 2栋")]);

    // Page by page: each building once.
    let (items, pages) = walk(
        &client,
        &format!("/v1/buildings?street={street}&q={part}&limit=1"),
    )
    .await;
    assert_eq!(items.len(), 3);
    assert!(pages >= 3);
    let ids: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|b| b["building_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 3);

    let none = get(
        &client,
        &format!("/v1/buildings?street={street}&q={part}公寓"),
    )
    .await;
    assert_eq!(none.status, 200);
    assert!(names(&none).is_empty());
}

#[tokio::test]
async fn buildings_are_found_by_a_prefix_of_their_code() {
    let stack = stack();
    let client = Client::new(stack);
    let seeded = seed_building(stack, "440305001", &unique_name_part(), &["101"]).await;
    let code = &seeded.building.building_code;

    // The whole code names its street by itself.
    let found = get(&client, &format!("/v1/buildings?q={code}")).await;
    assert_eq!(found.status, 200, "{:#}", found.body);
    assert_eq!(found.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(found.body["items"][0]["building_code"], code.as_str());

    let prefix = &code[..15];
    let found = get(
        &client,
        &format!("/v1/buildings?street=440305001&q={prefix}"),
    )
    .await;
    assert!(
        found.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["building_code"] == code.as_str())
    );
    // A prefix of another street finds nothing here.
    let found = get(
        &client,
        &format!("/v1/buildings?street=440305002&q={prefix}"),
    )
    .await;
    assert_eq!(found.status, 200);
    assert!(found.body["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn dapeng_streets_belong_to_dapeng_not_longgang() {
    let stack = stack();
    let client = Client::new(stack);
    let part = unique_name_part();
    seed_building(stack, "440307009", &format!("{part}新村 12号楼"), &["101"]).await;
    let found = get(
        &client,
        &format!("/v1/buildings?district=440307-DP&street=440307009&q={part}"),
    )
    .await;
    assert_eq!(names(&found), [format!("{part}新村 12号楼")]);
    get(
        &client,
        &format!("/v1/buildings?district=440307&street=440307009&q={part}"),
    )
    .await
    .assert_problem(400, "VALIDATION_FAILED");
}

#[tokio::test]
async fn a_street_lists_its_generated_buildings() {
    let client = Client::new(stack());
    let (items, _) = walk(&client, "/v1/buildings?street=440303001&limit=100").await;
    assert!(
        !items.is_empty(),
        "the local data set has buildings in every street"
    );
    assert!(items.iter().all(|b| {
        b["building_code"]
            .as_str()
            .unwrap()
            .starts_with("440303001")
    }));
}

#[tokio::test]
async fn bad_building_searches_are_refused_with_the_field() {
    let client = Client::new(stack());
    let cases = [
        ("/v1/buildings?q=花园", "street", "REQUIRED"),
        ("/v1/buildings?district=440304", "street", "REQUIRED"),
        ("/v1/buildings?street=440303999", "street", "UNKNOWN_STREET"),
        ("/v1/buildings?street=abc", "street", "UNKNOWN_STREET"),
        (
            "/v1/buildings?district=440303&street=440304001",
            "street",
            "STREET_NOT_IN_DISTRICT",
        ),
        (
            "/v1/buildings?district=440303&q=4403070100000",
            "street",
            "STREET_NOT_IN_DISTRICT",
        ),
        (
            "/v1/buildings?district=999999&street=440304001",
            "district",
            "UNKNOWN_DISTRICT",
        ),
        (
            "/v1/buildings?street=440304001&q=12345678901234567890",
            "q",
            "INVALID_QUERY",
        ),
        (
            "/v1/buildings?street=440304001&limit=0",
            "limit",
            "INVALID_LIMIT",
        ),
        (
            "/v1/buildings?street=440304001&limit=101",
            "limit",
            "INVALID_LIMIT",
        ),
        (
            "/v1/buildings?street=440304001&limit=x",
            "limit",
            "INVALID_LIMIT",
        ),
        (
            "/v1/buildings?street=440304001&cursor=abc.def",
            "cursor",
            "INVALID_CURSOR",
        ),
    ];
    for (path, field, code) in cases {
        let answer = get(&client, path).await;
        answer.assert_problem(400, "VALIDATION_FAILED");
        assert!(
            answer.has_field_error(field, code),
            "{path}: {:#}",
            answer.body
        );
    }
}

#[tokio::test]
async fn a_cursor_only_continues_the_list_it_came_from() {
    let stack = stack();
    let client = Client::new(stack);
    let part = unique_name_part();
    for i in 1..=2 {
        seed_building(stack, "440306017", &format!("{part}苑 {i}座"), &["101"]).await;
    }
    let first = get(
        &client,
        &format!("/v1/buildings?street=440306017&q={part}&limit=1"),
    )
    .await;
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    // Another query, or the same cursor altered: refused, never a 5xx.
    let other = get(
        &client,
        &format!("/v1/buildings?street=440306018&cursor={cursor}"),
    )
    .await;
    assert!(
        other.has_field_error("cursor", "INVALID_CURSOR"),
        "{:#}",
        other.body
    );
    let mut altered = cursor.to_owned();
    altered.insert(3, 'A');
    let answer = get(
        &client,
        &format!("/v1/buildings?street=440306017&q={part}&limit=1&cursor={altered}"),
    )
    .await;
    assert!(answer.has_field_error("cursor", "INVALID_CURSOR"));
}

#[tokio::test]
async fn houses_of_a_building_by_room() {
    let stack = stack();
    let client = Client::new(stack);
    let rooms = ["101", "102", "201", "202", "1001", "1002"];
    let seeded = seed_building(stack, "440308001", &unique_name_part(), &rooms).await;
    let id = &seeded.building.building_id;

    let (all, _) = walk(&client, &format!("/v1/buildings/{id}/houses?limit=4")).await;
    let got: Vec<&str> = all.iter().map(|h| h["room"].as_str().unwrap()).collect();
    assert_eq!(got, rooms, "in floor order, over two pages");
    assert_eq!(all[0]["house_id"], seeded.house_id("101").as_str());
    assert_eq!(all[0]["house_code"], seeded.house_id("101").as_str());
    assert_eq!(all[0]["building_id"], id.as_str());
    assert_eq!(all[4]["floor"], 10);

    let rooms_of = |answer: &Answer| -> Vec<String> {
        answer.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["room"].as_str().unwrap().to_owned())
            .collect()
    };
    // Rooms that start with what was typed (in the order of the room numbers as text).
    let found = get(&client, &format!("/v1/buildings/{id}/houses?room=10")).await;
    assert_eq!(rooms_of(&found), ["1001", "1002", "101", "102"]);
    let found = get(&client, &format!("/v1/buildings/{id}/houses?room=100")).await;
    assert_eq!(rooms_of(&found), ["1001", "1002"]);
    let found = get(&client, &format!("/v1/buildings/{id}/houses?room=2")).await;
    assert_eq!(found.body["items"].as_array().unwrap().len(), 2);
    let found = get(&client, &format!("/v1/buildings/{id}/houses?room=9")).await;
    assert_eq!(found.status, 200);
    assert!(found.body["items"].as_array().unwrap().is_empty());

    let bad = get(&client, &format!("/v1/buildings/{id}/houses?room=1%2001")).await;
    bad.assert_problem(400, "VALIDATION_FAILED");
    assert!(bad.has_field_error("room", "INVALID_ROOM"));
    get(&client, "/v1/buildings/4403080010000000000/houses")
        .await
        .assert_problem(404, "NOT_FOUND");
    get(&client, "/v1/buildings/not-a-building/houses")
        .await
        .assert_problem(404, "NOT_FOUND");
}

#[tokio::test]
async fn public_routes_are_rate_limited_per_client() {
    let limited = start(&[
        ("PUBLIC_READS_PER_MINUTE", "3"),
        ("PUBLIC_READS_PER_MINUTE_PER_ADDRESS", "3"),
    ]);
    let client = Client::new(&limited);
    // A signed-in caller from the same address, made before the address spends its budget.
    let user = fixtures::register(&client, "residence_registration").await;
    let token = fixtures::login(&client, &user, &fixtures::device_id()).await;
    for left in [2, 1, 0] {
        let answer = get(&client, "/v1/districts").await;
        assert_eq!(answer.status, 200);
        // Where the caller stands, on every answer (IETF RateLimit header fields).
        assert_eq!(
            answer.headers["ratelimit-policy"].to_str().unwrap(),
            "\"public-read\";q=3;w=60"
        );
        let state = answer.headers["ratelimit"].to_str().unwrap();
        assert!(
            state.starts_with(&format!("\"public-read\";r={left};t=")),
            "{state}"
        );
    }
    // The budget is shared by every public route.
    let refused = get(&client, "/v1/buildings?street=440303001").await;
    refused.assert_problem(429, "RATE_LIMITED");
    let state = refused.headers["ratelimit"].to_str().unwrap();
    assert!(state.starts_with("\"public-read\";r=0;t="), "{state}");
    let retry: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    // Another client is not affected.
    assert_eq!(
        get(&Client::new(&limited), "/v1/districts").await.status,
        200
    );
    // Behind the same (carrier-NAT) address, a signed-in caller is counted per account: its own
    // budget of three, on every public route.
    for path in [
        "/v1/districts".to_owned(),
        "/v1/buildings?street=440303001".to_owned(),
        format!("/v1/buildings/{}/houses", "440303001001"),
    ] {
        let answer = client.get_auth(&path, &token).await;
        assert_ne!(answer.status, 429, "{path}: {:#}", answer.body);
        if answer.status.is_success() {
            assert!(answer.headers.contains_key("ratelimit"), "{path}");
        }
    }
    client
        .get_auth("/v1/districts", &token)
        .await
        .assert_problem(429, "RATE_LIMITED");
    // The document checks count per account too (their own budgets).
    for path in [
        "/v1/receipts/20261127-7K3M9QXA2B?check_code=ABCD2345",
        "/v1/permits/440300-7K3M9QXA2B?check_code=ABCD2345",
    ] {
        let answer = client.get_auth(path, &token).await;
        assert_ne!(answer.status, 429, "{path}");
    }
}
