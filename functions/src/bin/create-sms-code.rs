functions::lambda_main!(create_sms_code);
