//! Proof by observation that no request path scans a table: every route of `template.yaml` is
//! driven through a real flow ([`e2e_tests::sweep`]) while an interceptor on the stack's DynamoDB
//! clients counts the operations this process issues. (`routes.rs` also checks the source for
//! `.scan()`.)

use e2e_tests::stack;

#[tokio::test]
async fn every_route_runs_without_a_single_scan() {
    let stack = stack();
    let before = stack.operation_counts();
    let called = e2e_tests::sweep::every_route(stack).await;
    assert_eq!(
        called,
        e2e_tests::declared_routes(),
        "the sweep drives every route of the template"
    );

    let after = stack.operation_counts();
    assert!(
        after.queries > before.queries,
        "the counter sees the Queries"
    );
    assert!(after.calls > before.calls + 30);
    assert_eq!(after.scans, 0, "no Scan was issued");
}
