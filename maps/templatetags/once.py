from django import template

register = template.Library()


@register.tag
def once(parser, token):
    """{% once %}…{% endonce %}: markup that reads nothing that changes within a request (the
    cards' move buttons and their CSRF token), rendered at its first use in the request and
    repeated after, rather than hundreds of times on a big map."""
    nodelist = parser.parse(("endonce",))
    parser.delete_first_token()
    return OnceNode(nodelist)


class OnceNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context) -> str:
        request = context.get("request")
        if request is None:
            return self.nodelist.render(context)
        rendered = request.__dict__.setdefault("_rendered_once", {})
        if self not in rendered:
            rendered[self] = self.nodelist.render(context)
        return rendered[self]
