functions::lambda_main!(list_link_residents);
