# A redirect without `protocol` keeps the request's: HTTP to HTTP on another port.
resource "aws_lb_listener" "web" {
  load_balancer_arn = aws_lb.web.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type = "redirect"

    redirect {
      port        = "8080"
      status_code = "HTTP_301"
    }
  }
}
