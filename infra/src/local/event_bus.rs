//! Creating the template's EventBridge resources on the moto server: the bus, its archive, and
//! each consumer's rule with its queue as the target. Locally each is named after its logical id
//! plus the stack's suffix ([`crate::local::env::local_name`]); the rules' patterns are the
//! template's own. (moto answers 500 to a target with an `InputTransformer`: the template uses
//! none, the publisher minimizes.)

use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::error::ProvideErrorMetadata;
use aws_sdk_eventbridge::types::Target;
use serde_json::Value;
use shared::context::local::LocalEndpoints;

use crate::local::env::{LOCAL_ACCOUNT, local_name};
use crate::local::queues::queue_arn;
use crate::template::Template;

#[derive(Debug, thiserror::Error)]
pub enum EventBusError {
    #[error("{resource}: {message}")]
    Definition { resource: String, message: String },
    #[error("{resource}: EventBridge refused: {code}")]
    EventBridge { resource: String, code: String },
}

/// The ARN of a bus of the template, locally.
pub fn bus_arn(endpoints: &LocalEndpoints, logical_id: &str) -> String {
    format!(
        "arn:aws:events:{}:{LOCAL_ACCOUNT}:event-bus/{}",
        endpoints.region,
        local_name(endpoints, logical_id)
    )
}

/// Creates every bus, archive and rule (with its targets) of the template, or leaves the ones
/// that exist; returns the local names of the rules.
pub async fn create_all(
    events: &Client,
    template: &Template,
    endpoints: &LocalEndpoints,
) -> Result<Vec<String>, EventBusError> {
    for (id, _) in template.resources_of("AWS::Events::EventBus") {
        let created = events
            .create_event_bus()
            .name(local_name(endpoints, id))
            .send()
            .await;
        if let Err(error) = created {
            tolerate_existing(id, &error)?;
        }
    }
    for (id, props) in template.resources_of("AWS::Events::Archive") {
        let bus = bus_of(id, &props["SourceArn"], "Fn::GetAtt")?;
        let created = events
            .create_archive()
            .archive_name(local_name(endpoints, id))
            .event_source_arn(bus_arn(endpoints, &bus))
            .set_retention_days(props["RetentionDays"].as_i64().map(|d| d as i32))
            .send()
            .await;
        if let Err(error) = created {
            tolerate_existing(id, &error)?;
        }
    }
    let mut rules = Vec::new();
    for (id, props) in template.resources_of("AWS::Events::Rule") {
        let bus = bus_of(id, &props["EventBusName"], "Ref")?;
        let name = local_name(endpoints, id);
        let refused = |e: &dyn ProvideErrorMetadata| EventBusError::EventBridge {
            resource: id.to_owned(),
            code: e.code().unwrap_or("unreachable").to_owned(),
        };
        events
            .put_rule()
            .name(&name)
            .event_bus_name(local_name(endpoints, &bus))
            .event_pattern(props["EventPattern"].to_string())
            .send()
            .await
            .map_err(|e| refused(&e))?;
        let mut targets = Vec::new();
        for target in props["Targets"].as_array().into_iter().flatten() {
            let queue = target["Arn"]["Fn::GetAtt"][0]
                .as_str()
                .filter(|q| template.queue(q).is_some())
                .ok_or_else(|| definition(id, "a target must be !GetAtt <queue>.Arn"))?;
            let target_id = target["Id"]
                .as_str()
                .ok_or_else(|| definition(id, "a target needs an Id"))?;
            targets.push(
                Target::builder()
                    .id(target_id)
                    .arn(queue_arn(endpoints, queue))
                    .build()
                    .map_err(|_| definition(id, "a target needs an Id and an Arn"))?,
            );
        }
        events
            .put_targets()
            .rule(&name)
            .event_bus_name(local_name(endpoints, &bus))
            .set_targets(Some(targets))
            .send()
            .await
            .map_err(|e| refused(&e))?;
        rules.push(name);
    }
    Ok(rules)
}

fn definition(resource: &str, message: &str) -> EventBusError {
    EventBusError::Definition {
        resource: resource.to_owned(),
        message: message.to_owned(),
    }
}

/// The bus a property names (`!Ref <bus>`, or `!GetAtt <bus>.Arn`).
fn bus_of(resource: &str, value: &Value, form: &str) -> Result<String, EventBusError> {
    let named = match form {
        "Ref" => value["Ref"].as_str(),
        _ => value["Fn::GetAtt"][0].as_str(),
    };
    named
        .map(str::to_owned)
        .ok_or_else(|| definition(resource, &format!("must name the bus with {form}")))
}

fn tolerate_existing(
    resource: &str,
    error: &dyn ProvideErrorMetadata,
) -> Result<(), EventBusError> {
    match error.code() {
        Some("ResourceAlreadyExistsException") => Ok(()),
        code => Err(EventBusError::EventBridge {
            resource: resource.to_owned(),
            code: code.unwrap_or("unreachable").to_owned(),
        }),
    }
}

/// The logical id of a consumer's queue in the template (`Consumer<Id>Queue`, the id of
/// `shared/events/consumers.yaml` in PascalCase), its rule (`Consumer<Id>Rule`) and its
/// dead-letter queue (`Consumer<Id>DeadLetterQueue`).
pub fn consumer_resource(consumer_id: &str, resource: &str) -> String {
    let pascal: String = consumer_id
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("Consumer{pascal}{resource}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consumer_resources_are_named_after_the_consumer() {
        assert_eq!(
            consumer_resource("police-population", "Queue"),
            "ConsumerPolicePopulationQueue"
        );
        assert_eq!(
            consumer_resource("statistics", "Rule"),
            "ConsumerStatisticsRule"
        );
    }
}
