variable "db_password" {
  sensitive = true
}

resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::111122223333:role/api"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "api.zip"

  environment {
    variables = {
      DB_PASSWORD            = var.db_password
      DB_PASSWORD_SECRET_ARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db"
      TOKEN_TTL              = "3600"
      API_TOKEN              = "<set-in-console>"
    }
  }
}
