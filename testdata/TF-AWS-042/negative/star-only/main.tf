# CloudWatch metrics and X-Ray traces cannot be scoped to a resource: AWS accepts only "*".
resource "aws_iam_policy" "telemetry" {
  name = "telemetry"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "xray:PutTelemetryRecords"]
        Resource = "*"
      },
      {
        Effect    = "Allow"
        Action    = ["ec2:StopInstances"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:ResourceTag/team" = "ops" } }
      }
    ]
  })
}
