functions::lambda_main!(delete_session);
