resource "aws_ecs_task_definition" "app" {
  family = "app"
  container_definitions = jsonencode([{
    name        = "app"
    image       = "example/app:1.4.2"
    environment = [{ name = "DB_PASSWORD", value = "hunter2-prod" }]
  }])
}
