functions::lambda_main!(get_permit_card);
