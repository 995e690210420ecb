resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{
    name    = "app"
    image   = "example/app:1.4.2"
    secrets = [{ name = "DB_PASSWORD", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db" }]
    environment = [
      { name = "DB_PASSWORD_SECRET_ARN", value = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/db" },
      { name = "LOG_LEVEL", value = "info" },
    ]
  }])
}
