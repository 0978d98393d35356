//! Reminders and the status changes that fall due (issue 13): the daily run over the permits'
//! milestones, run as `rpctl reminders run --date` runs it (the scheduled function's handler),
//! on days moved for one permit. Each reminder is sent exactly once, even when the run is made
//! twice or twice at once; the holder's SMS are counted.

use chrono::{Days, Months};
use e2e_tests::houses::staff_session;
use e2e_tests::permits::{eligible_holder, issued_permit, reschedule, today};
use e2e_tests::{Client, stack};
use serde_json::{Value, json};

/// The scheduled function's handler, for `day`, as rpctl runs it.
async fn run(client: &Client, day: chrono::NaiveDate) -> Value {
    infra::operator::reminders::run(&client.stack.context(), day)
        .await
        .expect("the run succeeds")
}

/// A holder with an issued permit: the holder, their token and the permit number, once the SMS
/// so far (registration and login codes, approved, issued) have arrived, so that reminders are
/// counted after them (they are delivered asynchronously, through the queue).
async fn holder_with_permit(client: &Client) -> (e2e_tests::fixtures::User, String, String) {
    let (_, staff) = staff_session(client).await;
    let (holder, token) = eligible_holder(client, &staff).await;
    let (_, permit) = issued_permit(client, &holder, &token).await;
    let no = permit["permit_no"].as_str().unwrap().to_owned();
    client.sms_delivered(&holder.phone, 4).await;
    (holder, token, no)
}

#[tokio::test]
async fn each_reminder_and_status_change_happens_once_however_often_the_day_is_run() {
    let client = Client::new(stack());
    let (holder, token, no) = holder_with_permit(&client).await;
    let sms = || client.sms_messages(&holder.phone);

    // Its window opens today (the anniversary in 60 days).
    let anniversary = today() + Days::new(60);
    let issued = anniversary.checked_sub_months(Months::new(12)).unwrap();
    reschedule(&client, &no, issued, 1, today()).await;
    let before = sms().await.len();
    let report = run(&client, today()).await;
    assert!(report["reminded"].as_u64().unwrap() >= 1, "{report:#}");
    let messages = client.sms_delivered(&holder.phone, before + 1).await;
    assert!(messages[before].contains("签注期已开始"), "{messages:?}");
    // Run again, and twice at once: nothing more is sent.
    run(&client, today()).await;
    let (a, b) = tokio::join!(run(&client, today()), run(&client, today()));
    let _ = (a, b);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sms().await.len(), before + 1, "{:?}", sms().await);

    // Seven days before the window closes: the second reminder, once, even with two runs at once.
    let closing = anniversary - Days::new(1) - Days::new(7);
    reschedule(&client, &no, issued, 1, closing).await;
    let before = sms().await.len();
    let (a, b) = tokio::join!(run(&client, closing), run(&client, closing));
    // (The reports may count other tests' permits due the same day: the holder's SMS are what
    // show that exactly one run sent this one.)
    assert!(
        a["reminded"].as_u64().unwrap() + b["reminded"].as_u64().unwrap() >= 1,
        "one of the runs sends it: {a:#} {b:#}"
    );
    let messages = client.sms_delivered(&holder.phone, before + 1).await;
    assert!(messages[before].contains("签注期将于"), "{messages:?}");
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sms().await.len(), before + 1);

    // The anniversary passes unendorsed: suspended, written down and told, once.
    let issued = today().checked_sub_months(Months::new(12)).unwrap();
    reschedule(&client, &no, issued, 1, today()).await;
    let before = sms().await.len();
    let report = run(&client, today()).await;
    assert!(report["suspended"].as_u64().unwrap() >= 1, "{report:#}");
    run(&client, today()).await;
    let messages = client.sms_delivered(&holder.phone, before + 1).await;
    assert!(messages[before].contains("中止使用"), "{messages:?}");
    let stored = e2e_tests::permits::stored(&client, &no).await;
    assert_eq!(stored.status.as_str(), "suspended");
    assert_eq!(stored.milestone.map(|m| m.as_str()), Some("cancellation"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(sms().await.len(), before + 1);

    // Two years on: cancelled, written down and told.
    let issued = today().checked_sub_months(Months::new(36)).unwrap();
    reschedule(&client, &no, issued, 1, today()).await;
    let before = sms().await.len();
    let report = run(&client, today()).await;
    assert!(report["cancelled"].as_u64().unwrap() >= 1, "{report:#}");
    let messages = client.sms_delivered(&holder.phone, before + 1).await;
    assert!(messages[before].contains("已注销"), "{messages:?}");
    let stored = e2e_tests::permits::stored(&client, &no).await;
    assert_eq!(stored.status.as_str(), "cancelled");
    assert!(stored.milestone.is_none(), "nothing more is due");
    let shown = client.get_auth("/v1/me/permit", &token).await.body;
    assert_eq!(shown["status"], "cancelled");

    // A day that is not a date is refused.
    let refused = functions::job("run-permit-milestones").unwrap();
    let answer = (refused.handler)(client.stack.context(), json!({"day": "tomorrow"})).await;
    assert!(answer.is_err());
}

#[tokio::test]
async fn a_reminder_that_cannot_be_queued_is_moved_back_and_sent_by_the_next_run() {
    let client = Client::new(stack());
    let (holder, _, no) = holder_with_permit(&client).await;
    // A day of this test's own, years ahead: the window of this permit opens on it.
    let mut random = [0u8; 2];
    getrandom::fill(&mut random).expect("random");
    let offset = 2000 + u64::from(u16::from_le_bytes(random) % 2000);
    let day = today() + Days::new(offset);
    let issued = (day + Days::new(60))
        .checked_sub_months(Months::new(12))
        .unwrap();
    reschedule(&client, &no, issued, 1, day).await;
    let before = e2e_tests::permits::stored(&client, &no).await;

    // The SMS queue cannot be reached: nothing is reminded, and the permit is moved back.
    let broken = client.stack.context_with(|config| {
        config.sms.queue_url = config.sms.queue_url.replace("SmsQueue", "NoSuchQueue");
    });
    assert_ne!(
        broken.config.sms.queue_url,
        client.stack.config.sms.queue_url
    );
    let failed = shared::services::permit_milestones::run(&broken, day)
        .await
        .expect("the run reports its failures");
    assert_eq!((failed.failed, failed.reminded), (1, 0), "{failed:?}");
    let after = e2e_tests::permits::stored(&client, &no).await;
    assert_eq!(after.milestone, before.milestone, "moved back");
    // The scheduled function answers an error (so that the scheduler retries it).
    let job = functions::job("run-permit-milestones").unwrap();
    let answer = (job.handler)(broken.clone(), json!({"day": day.to_string()})).await;
    assert!(answer.is_err(), "{answer:?}");
    let after = e2e_tests::permits::stored(&client, &no).await;
    assert_eq!(after.milestone, before.milestone, "moved back");
    assert_eq!(after.reminder_queue, before.reminder_queue);
    assert_eq!(
        after.version,
        before.version + 4,
        "moved on, then back, twice"
    );

    // The next run (the scheduler's retry) sends it, once.
    let sms_before = client.sms_messages(&holder.phone).await.len();
    let retried = run(&client, day).await;
    assert_eq!(retried["reminded"], 1, "{retried:#}");
    assert_eq!(retried["failed"], 0, "{retried:#}");
    let messages = client.sms_delivered(&holder.phone, sms_before + 1).await;
    assert!(
        messages[sms_before].contains("签注期已开始"),
        "{messages:?}"
    );
    assert_eq!(run(&client, day).await["reminded"], 0);
}
