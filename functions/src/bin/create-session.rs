functions::lambda_main!(create_session);
