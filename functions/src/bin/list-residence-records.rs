functions::lambda_main!(list_residence_records);
