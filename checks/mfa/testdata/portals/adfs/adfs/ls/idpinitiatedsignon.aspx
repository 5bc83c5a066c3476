<!DOCTYPE html>
<html lang="en-US"><head>
<meta http-equiv="content-type" content="text/html;charset=UTF-8">
<title>Sign In</title>
<link rel="stylesheet" type="text/css" href="/adfs/portal/css/style.css?id=D74D4D6A2F62C6AD">
</head><body dir="ltr" class="body">
<div id="fullPage"><div id="brandingWrapper" class="float"></div>
<div id="contentWrapper" class="float"><div id="content">
<form method="post" id="idpForm" action="/adfs/ls/idpinitiatedsignon.aspx?client-request-id=3b0a7f4e">
<div id="idp_SignInThisSiteStatusLabel">You are not signed in.</div>
<input id="idp_SignInButton" class="submit" type="submit" name="SignInSubmit" value="Sign in">
</form></div></div></div></body></html>
