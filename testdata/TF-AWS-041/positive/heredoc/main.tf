resource "aws_ecs_task_definition" "worker" {
  family                = "worker"
  container_definitions = <<-JSON
    [
      {
        "name": "worker",
        "image": "example/worker:2.0.1",
        "environment": [
          { "name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7REALKEY" }
        ]
      }
    ]
  JSON
}
