functions::lambda_main!(list_permit_review_queue);
