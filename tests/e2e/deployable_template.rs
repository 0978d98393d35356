//! `template.yaml` ready for production (issue 14): the properties a deployment relies on that
//! the linters cannot know are wanted. (What each function may call: `least_privilege.rs`.)

use infra::template::Template;
use serde_json::{Value, json};

fn template() -> Template {
    Template::load_default().expect("template.yaml loads")
}

fn resources_of_type<'a>(template: &'a Template, kind: &str) -> Vec<(&'a String, &'a Value)> {
    template.document["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .filter(|(_, r)| r["Type"] == kind)
        .collect()
}

#[test]
fn every_table_is_on_demand_recoverable_protected_and_encrypted_with_the_stack_key() {
    let template = template();
    assert_eq!(
        template.tables.len(),
        10,
        "with the processing records (PIPL Art. 55-56), the idempotency keys and the document keys"
    );
    for table in &template.tables {
        let p = &table.properties;
        let id = &table.logical_id;
        assert_eq!(p["BillingMode"], "PAY_PER_REQUEST", "{id}");
        assert_eq!(
            p["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true,
            "{id}"
        );
        assert_eq!(p["DeletionProtectionEnabled"], true, "{id}");
        assert_eq!(
            p["SSESpecification"],
            json!({"SSEEnabled": true, "SSEType": "KMS", "KMSMasterKeyId": {"Ref": "DataKey"}}),
            "{id}"
        );
    }
}

#[test]
fn one_rotating_key_whose_policy_names_the_function_roles() {
    let template = template();
    let keys = resources_of_type(&template, "AWS::KMS::Key");
    assert_eq!(
        keys.iter().map(|(id, _)| id.as_str()).collect::<Vec<_>>(),
        ["DataKey", "DocumentSigningKey"],
        "the data key, and the key documents are signed with"
    );
    // The signing key signs only; no key policy statement opens it to the functions (only the
    // issuing functions' own policies name it, for kms:Sign: least_privilege.rs holds them).
    let signing = keys[1].1;
    assert_eq!(signing["Properties"]["KeyUsage"], "SIGN_VERIFY");
    assert_eq!(
        signing["Properties"]["KeySpec"],
        json!({"Ref": "DocumentSignatureSpec"})
    );
    assert_eq!(
        signing["Properties"]["KeyPolicy"]["Statement"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the account administers it; nothing else"
    );
    let (_, key) = keys[0];
    assert_eq!(key["Properties"]["EnableKeyRotation"], true);
    let statements = key["Properties"]["KeyPolicy"]["Statement"]
        .as_array()
        .unwrap();
    let functions = statements
        .iter()
        .find(|s| s["Sid"] == "FunctionRolesThroughDynamoDbAndSecretsManager")
        .expect("a statement for the functions' roles");
    assert_eq!(
        functions["Condition"]["ArnLike"]["aws:PrincipalArn"],
        json!({"Fn::Sub": "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/${AWS::StackName}/*"})
    );
    assert_eq!(
        template.document["Globals"]["Function"]["RolePath"],
        json!({"Fn::Sub": "/${AWS::StackName}/"}),
        "the roles are where the key policy names them"
    );
    assert_eq!(
        functions["Condition"]["StringEquals"]["kms:ViaService"]
            .as_array()
            .unwrap()
            .len(),
        2,
        "only through DynamoDB and Secrets Manager"
    );
    // The secret is the stack's, encrypted with that key, and what SECRETS_ID names.
    let secret = &template.document["Resources"]["PlatformSecret"];
    assert_eq!(secret["Type"], "AWS::SecretsManager::Secret");
    assert_eq!(secret["Properties"]["KmsKeyId"], json!({"Ref": "DataKey"}));
    assert_eq!(
        template.global_environment["SECRETS_ID"],
        json!({"Ref": "PlatformSecret"})
    );
    // Nothing secret in parameters or plain variables.
    for name in template.parameters.keys() {
        let lower = name.to_lowercase();
        assert!(
            !["password", "key", "token", "credential"]
                .iter()
                .any(|w| lower.contains(w)),
            "parameter {name} looks like a secret"
        );
    }
}

#[test]
fn logs_are_json_kept_at_least_180_days_and_access_logs_carry_no_personal_data() {
    let template = template();
    let doc = &template.document;
    let logging = &doc["Globals"]["Function"]["LoggingConfig"];
    assert_eq!(logging["LogFormat"], "JSON");
    assert_eq!(logging["LogGroup"], json!({"Ref": "FunctionLogGroup"}));
    assert_eq!(doc["Globals"]["Function"]["Tracing"], "Active");
    let retention = &doc["Parameters"]["LogRetentionDays"];
    assert!(
        retention["AllowedValues"]
            .as_array()
            .unwrap()
            .iter()
            .all(|days| days.as_u64().unwrap() >= 180)
    );
    for (id, group) in resources_of_type(&template, "AWS::Logs::LogGroup") {
        assert_eq!(
            group["Properties"]["RetentionInDays"],
            json!({"Ref": "LogRetentionDays"}),
            "{id}"
        );
    }
    let api = &doc["Resources"]["Api"]["Properties"];
    let format = api["AccessLogSettings"]["Format"].as_str().unwrap();
    let access_log: Value = serde_json::from_str(format).expect("the access log is JSON");
    let fields: Vec<&str> = access_log
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in &fields {
        assert!(
            [
                "$context.requestId",
                "$context.routeKey",
                "$context.status",
                "$context.responseLatency",
                "$context.integrationLatency",
                "$context.identity.sourceIp",
                "$context.requestTimeEpoch",
            ]
            .contains(field),
            "{field} may carry personal data"
        );
    }
    assert_eq!(
        api["DefaultRouteSettings"]["ThrottlingBurstLimit"],
        json!({"Ref": "ApiThrottlingBurstLimit"})
    );
    assert_eq!(
        api["DefaultRouteSettings"]["ThrottlingRateLimit"],
        json!({"Ref": "ApiThrottlingRateLimit"})
    );
    assert_ne!(api["CorsConfiguration"]["AllowOrigins"], json!(["*"]));
}

#[test]
fn every_alarm_notifies_the_topic_and_each_named_risk_has_one() {
    let template = template();
    let alarms = resources_of_type(&template, "AWS::CloudWatch::Alarm");
    for (id, alarm) in &alarms {
        assert_eq!(
            alarm["Properties"]["AlarmActions"],
            json!({"Fn::If": ["HasAlarmTopic", [{"Ref": "AlarmTopicArn"}], {"Ref": "AWS::NoValue"}]}),
            "{id}"
        );
    }
    let text = serde_json::to_string(&alarms).unwrap();
    for metric in [
        "5xx",
        "\"Errors\"",
        "\"Throttles\"",
        "ThrottledRequests",
        "SystemErrors",
        "SMSMonthToDateSpentUSD",
        "SmsDeadLetterQueue",
    ] {
        assert!(text.contains(metric), "an alarm on {metric}");
    }
}

#[test]
fn the_outputs_give_the_api_url_and_every_table() {
    let template = template();
    let outputs = template.document["Outputs"].as_object().unwrap();
    assert!(outputs.contains_key("ApiUrl"));
    for table in &template.tables {
        let output = &outputs[&format!("{}Name", table.logical_id)];
        assert_eq!(output["Value"], json!({"Ref": table.logical_id}));
    }
}
