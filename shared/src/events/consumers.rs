//! Which consumer receives which events in which view: `shared/events/consumers.yaml`, compiled
//! in. The publisher publishes each event once per consumer that receives its type (in that
//! consumer's view, with that consumer's pseudonymous ids: [`super::pseudonyms`]), and records for
//! each person which consumers an event about them went to.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use serde::Deserialize;

use super::catalog::EventType;
use super::views::{View, fields};

const CONFIG: &str = include_str!("../../events/consumers.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Consumer {
    /// Stable id: the EventBridge rule and queue are named after it, and the processing records
    /// name it.
    pub id: String,
    /// The agency, in Chinese (shown to residents in their processing records).
    pub name: String,
    /// The duty that needs the data.
    pub basis: String,
    /// Part of the key of the consumer's pseudonymous ids ([`super::pseudonyms`]): raising it
    /// gives the consumer new, unrelated pseudonyms from then on (1 when not given).
    #[serde(default = "first_epoch")]
    pub pseudonym_epoch: u32,
    pub receives: Vec<Subscription>,
}

fn first_epoch() -> u32 {
    1
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    pub types: Vec<String>,
    pub view: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Config {
    consumers: Vec<Consumer>,
}

/// A consumer as the publisher uses it: what it receives, parsed.
#[derive(Debug, Clone)]
pub struct Route {
    pub consumer: Consumer,
    pub receives: Vec<(EventType, View)>,
}

/// The configuration, or what is wrong with it.
pub fn parse(text: &str) -> Result<Vec<Route>, String> {
    let config: Config = serde_norway::from_str(text).map_err(|e| e.to_string())?;
    let mut ids = BTreeSet::new();
    let mut routes = Vec::new();
    for consumer in config.consumers {
        if !ids.insert(consumer.id.clone()) {
            return Err(format!("consumer {} is listed twice", consumer.id));
        }
        if consumer.id.is_empty()
            || !consumer
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(format!(
                "consumer id {:?}: lowercase letters, digits and -",
                consumer.id
            ));
        }
        if consumer.pseudonym_epoch == 0 {
            return Err(format!("{}: pseudonym_epoch starts at 1", consumer.id));
        }
        let mut receives = Vec::new();
        for s in &consumer.receives {
            let view: View = s
                .view
                .parse()
                .map_err(|_| format!("{}: no view {:?}", consumer.id, s.view))?;
            for t in &s.types {
                let event_type: EventType = t
                    .parse()
                    .map_err(|_| format!("{}: no event type {t:?}", consumer.id))?;
                if fields(event_type, view).is_none() {
                    return Err(format!("{}: {t} has no {} view", consumer.id, s.view));
                }
                if receives.iter().any(|(known, _)| *known == event_type) {
                    return Err(format!("{}: {t} is listed twice", consumer.id));
                }
                receives.push((event_type, view));
            }
        }
        routes.push(Route { consumer, receives });
    }
    Ok(routes)
}

static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();

/// The compiled-in configuration (checked by this module's tests, so it always parses).
pub fn routes() -> &'static [Route] {
    ROUTES.get_or_init(|| parse(CONFIG).expect("shared/events/consumers.yaml is valid"))
}

/// The consumers that receive `event_type`, each with the view it receives it in (one: a type
/// is listed once per consumer).
pub fn recipients(event_type: EventType) -> impl Iterator<Item = (&'static Consumer, View)> {
    routes().iter().filter_map(move |r| {
        r.receives
            .iter()
            .find(|(t, _)| *t == event_type)
            .map(|(_, view)| (&r.consumer, *view))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_parses_and_every_consumer_receives_something() {
        let routes = parse(CONFIG).unwrap();
        assert!(!routes.is_empty());
        for r in &routes {
            assert!(!r.receives.is_empty(), "{} receives nothing", r.consumer.id);
        }
        let declared: Vec<_> = recipients(EventType::RegistrationDeclared).collect();
        assert_eq!(declared.len(), 3);
        let police: Vec<_> = declared.iter().filter(|(_, v)| *v == View::Full).collect();
        assert_eq!(police.len(), 1);
        assert_eq!(police[0].0.id, "police-population");
        assert!(routes.iter().all(|r| r.consumer.pseudonym_epoch == 1));
    }

    #[test]
    fn mistakes_in_the_configuration_are_named() {
        let one = |receives: &str| {
            format!("consumers:\n  - {{ id: a, name: n, basis: b, receives: [{receives}] }}\n")
        };
        let err = parse(&one("{ types: [registration.declared], view: secret }")).unwrap_err();
        assert!(err.contains("no view"), "{err}");
        let err = parse(&one("{ types: [registration.born], view: full }")).unwrap_err();
        assert!(err.contains("no event type"), "{err}");
        let twice = "consumers:\n  - { id: a, name: n, basis: b, receives: [] }\n  - { id: a, name: n, basis: b, receives: [] }\n";
        assert!(parse(twice).unwrap_err().contains("twice"));
        assert!(parse("consumers:\n  - { id: A_, name: n, basis: b, receives: [] }\n").is_err());
        let again = one(
            "{ types: [registration.declared], view: full }, { types: [registration.declared], view: housing }",
        );
        assert!(parse(&again).unwrap_err().contains("listed twice"));
        let epoch =
            "consumers:\n  - { id: a, name: n, basis: b, pseudonym_epoch: 0, receives: [] }\n";
        assert!(parse(epoch).unwrap_err().contains("epoch"));
    }
}
