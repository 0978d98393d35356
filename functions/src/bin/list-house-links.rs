functions::lambda_main!(list_house_links);
