// /api/docs: Swagger UI over the API's own document. An external script, not an inline one: the page's policy
// allows scripts from this origin only. No validator badge (it would call validator.swagger.io).
window.addEventListener("DOMContentLoaded", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = window.SwaggerUIBundle({
    url: node.getAttribute("data-url"),
    domNode: node,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
  });
});
